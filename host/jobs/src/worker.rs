//! A worker: claims scan jobs from the database, keeps its lease alive while it runs
//! one, and stores the result with its drift, usage and notifications.

use crate::{ProgressWriter, usage_event};
use securebase_drift::{Drift, Side};
use securebase_scan::{Additions, CollectionErrorEntry, ScanReport, Scanner};
use securebase_store::{ClaimLimits, Job, JobOutcome, Notification, Store, StoreError};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How a worker behaves.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Its name in leases and events (unique per process: host and pid by default).
    pub id: String,
    /// How long a claim lasts without renewal; renewed every third of it.
    pub lease: Duration,
    /// How often an idle worker looks for work.
    pub poll: Duration,
    /// Concurrency limits and attempts.
    pub limits: ClaimLimits,
    /// How tenants' accounts are reached.
    pub collect: securebase_collect::CollectOptions,
    /// Accounts collected at once within one scan.
    pub collect_concurrency: usize,
    /// Collects tenant accounts that name no role with the service's own credentials
    /// (`--allow-ambient-credentials`: a single-tenant instance only; otherwise any
    /// tenant could scan whatever those credentials reach).
    pub allow_ambient_credentials: bool,
}

impl WorkerConfig {
    /// Defaults with a name unique to this process.
    pub fn named(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            lease: Duration::from_secs(30),
            poll: Duration::from_secs(1),
            limits: ClaimLimits::default(),
            collect: securebase_collect::CollectOptions::default(),
            collect_concurrency: 8,
            allow_ambient_credentials: false,
        }
    }
}

/// The default worker name: host name and process id.
pub fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "localhost".into());
    format!("{host}:{}", std::process::id())
}

/// A worker over a store and a scanner.
#[derive(Clone)]
pub struct Worker {
    store: Store,
    scanner: Arc<Scanner>,
    pricing: Arc<securebase_billing::Pricing>,
    config: Arc<WorkerConfig>,
    wake: Option<Arc<tokio::sync::Notify>>,
}

/// Why a job did not store a result.
#[derive(Debug, thiserror::Error)]
enum JobError {
    /// The input cannot be scanned (the scan is failed with this reason).
    #[error("{0}")]
    Input(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Worker {
    /// A worker.
    pub fn new(store: Store, scanner: Arc<Scanner>, pricing: Arc<securebase_billing::Pricing>, config: WorkerConfig) -> Self {
        Self { store, scanner, pricing, config: Arc::new(config), wake: None }
    }

    /// Also looks for work when `wake` is notified (a scan queued in this process),
    /// not only every `poll`.
    pub fn with_wake(mut self, wake: Arc<tokio::sync::Notify>) -> Self {
        self.wake = Some(wake);
        self
    }

    /// Its name.
    pub fn id(&self) -> &str {
        &self.config.id
    }

    /// Claims and runs jobs until `stop` turns true; the job in hand is finished first.
    pub async fn run(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            match self.run_one().await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(e) => tracing::error!(worker = %self.config.id, error = %e, "cannot claim a scan job"),
            }
            let woken = async {
                match &self.wake {
                    Some(w) => w.notified().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                stopping = crate::pause(self.config.poll, &mut stop) => if stopping { return },
                _ = woken => {}
            }
        }
    }

    /// Claims one job and runs it to the end; `None` if there was nothing to claim.
    pub async fn run_one(&self) -> Result<Option<String>, StoreError> {
        let Some(job) = self.store.claim_job(&self.config.id, self.config.lease, &self.config.limits).await? else {
            return Ok(None);
        };
        tracing::info!(worker = %self.config.id, scan = %job.scan_id, tenant = %job.tenant_id, attempt = job.attempt, "claimed scan");
        securebase_metrics::global().scan_started(&job.source);
        let lost = Arc::new(AtomicBool::new(false));
        let renewal = tokio::spawn(renew(self.store.clone(), job.clone(), self.config.clone(), lost.clone()));
        let outcome = self.execute(&job, &lost).await;
        renewal.abort();
        match outcome {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(worker = %self.config.id, scan = %job.scan_id, "lease lost before the result was stored: another worker has the scan; result discarded");
            }
            Err(JobError::Input(reason)) => {
                securebase_metrics::global().scan_failed(&job.source);
                // With its stream's "failed" event, if this worker still holds the scan.
                self.store.fail_job(&job, &self.config.id, &reason).await?;
            }
            Err(JobError::Store(e)) => {
                tracing::error!(worker = %self.config.id, scan = %job.scan_id, error = %e, "cannot store the scan; it is retried when the lease expires");
            }
        }
        Ok(Some(job.scan_id))
    }

    /// Runs a job; `Ok(false)` when the lease was lost and nothing was stored.
    async fn execute(&self, job: &Job, lost: &Arc<AtomicBool>) -> Result<bool, JobError> {
        let started = std::time::Instant::now();
        let events = ProgressWriter::new(self.store.clone(), job);
        events.event("started", json!({ "worker": self.config.id, "attempt": job.attempt, "resumed": job.attempt > 1 })).await;
        let (snapshot, problems) = self.input(job, &events).await?;
        // Kept with the result, so a finding can be replayed on what was evaluated.
        let kept = securebase_scan::KeptInventory::of(&snapshot.accounts);
        let (additions, unloadable) = self.additions(job).await?;
        let scanner = self.scanner.clone();
        let listed = problems.clone();
        let progress = events.clone();
        let report = tokio::task::spawn_blocking(move || {
            let mut report = scanner.scan_with(snapshot, &additions, &|p| progress.evaluated(p))?;
            report.collection_errors = listed;
            // A tenant plugin this worker could not load fails on every account, like
            // one that traps: the rest of the scan stands.
            for (plugin, message) in unloadable {
                for a in &report.accounts {
                    report.plugin_errors.push(securebase_scan::PluginErrorEntry {
                        plugin: plugin.clone(),
                        account_id: a.account_id.clone(),
                        kind: "load_failed".into(),
                        message: message.clone(),
                        log: vec![],
                    });
                }
            }
            Ok::<_, securebase_scan::ScanError>(report)
        })
        .await
        .map_err(|e| JobError::Input(format!("the scan stopped unexpectedly: {e}")))?
        .map_err(|e| JobError::Input(e.to_string()))?;
        events.flush().await;
        if lost.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let drift = self.drift(job, &report).await?;
        let (drift_doc, summary) = (serde_json::to_string(&drift).expect("drift serializes"), drift.summary());
        // The scan document carries its drift too, so an exported scan is complete.
        let mut report = report;
        report.keep_inventory(&kept, false);
        report.drift = Some(serde_json::to_value(&drift).expect("drift serializes"));
        let summary_doc = serde_json::to_string(&summary).expect("drift summary serializes");
        let notifications = self.notifications(job, &report, &drift).await?;
        let usage = self.usage(job, &report).await?;
        // Say what a live scan could not read, so a score is never read as covering more;
        // stored with the result, so nobody reads the scan without it.
        let note = (!problems.is_empty()).then(|| {
            let list = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
            format!("collected with {} error(s): {list}", problems.len())
        });
        let outcome = JobOutcome {
            drift: Some((drift_doc.as_str(), summary_doc.as_str())),
            notifications: &notifications,
            note: note.as_deref(),
            inventory: Some(kept.json()),
        };
        let stored = self.store.finish_job(job, &self.config.id, &report, usage.as_ref(), &outcome).await?;
        if !stored {
            return Ok(false);
        }
        securebase_metrics::global().scan_finished(
            &job.source,
            started.elapsed(),
            report.plugin_errors.iter().map(|e| e.kind.as_str()),
            report.accounts.iter().flat_map(|a| &a.evaluations).map(|e| e.fuel_used).sum(),
            report.collection_errors.iter().map(|e| e.service.as_str()),
        );
        Ok(true)
    }

    /// The job's tenant's own plugins (the newest enabled version of each, compiled
    /// once per process from the component stored in the database) and frameworks,
    /// with the fuel budget of its tier and its exceptions; and the plugins that could
    /// not be loaded.
    async fn additions(&self, job: &Job) -> Result<(Additions, Vec<(String, String)>), JobError> {
        let tenant = &job.tenant_id;
        let rows = self.store.list_plugins(tenant).await?;
        let mut additions = Additions::default();
        let mut unloadable = vec![];
        for row in securebase_store::plugins_to_run(&rows) {
            if let Some(p) = self.scanner.loaded_plugin(&row.sha256) {
                additions.plugins.push(p);
                continue;
            }
            let Some(wasm) = self.store.plugin_wasm(tenant, &row.sha256).await? else {
                unloadable.push((row.name.clone(), format!("version {}: its component is missing from the database", row.version)));
                continue;
            };
            let (scanner, name, sha256) = (self.scanner.clone(), row.name.clone(), row.sha256.clone());
            let loaded = tokio::task::spawn_blocking(move || {
                let p = scanner.load_plugin(&name, &wasm).map_err(|e| e.to_string())?;
                // The bytes are what was validated at upload, or the plugin does not run.
                if p.info().sha256 != sha256 {
                    return Err(format!("the stored component's SHA-256 is {}, not {sha256}", p.info().sha256));
                }
                Ok(p)
            })
            .await
            .map_err(|e| JobError::Input(format!("loading tenant plugins stopped unexpectedly: {e}")))?;
            match loaded {
                Ok(p) => additions.plugins.push(p),
                Err(message) => unloadable.push((row.name.clone(), format!("version {}: {message}", row.version))),
            }
        }
        for f in self.store.list_frameworks(tenant).await? {
            let parsed = securebase_scoring::Framework::parse(&f.source, &format!("framework {} version {}", f.id, f.version))
                .map_err(|e| JobError::Input(format!("the tenant's framework cannot be read: {e}")))?;
            additions.frameworks.push(parsed);
        }
        // The exceptions valid when the scan starts apply to all of it.
        let now = securebase_inventory::time::now_unix();
        additions.exceptions = securebase_exceptions::Register::new(self.store.active_exceptions(tenant).await?, now);
        additions.attestations = self.store.active_attestations(tenant).await?;
        let tier = self.store.tenant_tier(tenant).await?;
        additions.fuel_budget = tier.and_then(|t| self.pricing.plugin_fuel_per_scan(t.as_str()));
        Ok((additions, unloadable))
    }

    /// The inventory a job evaluates, and what collection could not read.
    async fn input(
        &self,
        job: &Job,
        events: &ProgressWriter,
    ) -> Result<(securebase_inventory::Snapshot, Vec<CollectionErrorEntry>), JobError> {
        match job.source.as_str() {
            "demo" => Ok((securebase_inventory::demo(), vec![])),
            "snapshot" => {
                let text = job.input.as_deref().ok_or_else(|| JobError::Input("the uploaded snapshot is missing".into()))?;
                let docs: Vec<serde_json::Value> =
                    serde_json::from_str(text).map_err(|e| JobError::Input(format!("the uploaded snapshot is unreadable: {e}")))?;
                let snapshot = securebase_inventory::from_documents(&docs, "upload").map_err(|e| JobError::Input(e.to_string()))?;
                Ok((snapshot, vec![]))
            }
            "accounts" => {
                let tenant =
                    self.store.get_tenant(&job.tenant_id).await?.ok_or_else(|| JobError::Input("the tenant no longer exists".into()))?;
                if tenant.accounts.is_empty() {
                    return Err(JobError::Input("this tenant lists no accounts".into()));
                }
                // Every AssumeRole carries the tenant's external ID; an account without a
                // role is refused unless the operator allows ambient credentials.
                let (with_role, ambient): (Vec<_>, Vec<_>) =
                    tenant.accounts.iter().partition(|a| a.role_arn.is_some() || self.config.allow_ambient_credentials);
                let file = securebase_collect::AccountsFile {
                    accounts: with_role
                        .iter()
                        .map(|a| securebase_collect::Account {
                            id: a.account_id.clone(),
                            name: a.name.clone(),
                            role_arn: a.role_arn.clone(),
                            external_id: a.role_arn.as_ref().map(|_| tenant.aws_external_id.clone()),
                            regions: if a.regions.is_empty() { vec!["us-east-1".into()] } else { a.regions.clone() },
                        })
                        .collect(),
                    organization: None,
                };
                let options = securebase_collect::CollectOptions { tenant: Some(tenant.id.clone()), ..self.config.collect.clone() };
                let total = tenant.accounts.len();
                let done = std::sync::atomic::AtomicUsize::new(ambient.len());
                let mut collected = securebase_collect::collect_all(&file, &options, self.config.collect_concurrency, &|c| {
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    events.collected(&c.account_id, c.errors.len(), n, total);
                })
                .await;
                collected.extend(ambient.iter().map(|a| securebase_collect::AccountCollection {
                    account_id: a.account_id.clone(),
                    inventory: None,
                    errors: vec![securebase_collect::CollectError {
                            service: "sts".into(),
                            region: "global".into(),
                            message:
                                "no role_arn: the service reaches a tenant's accounts only by assuming a role with the tenant's external ID"
                                    .into(),
                        }],
                }));
                events.flush().await;
                let problems = crate::collection_entries(&collected);
                let accounts: Vec<_> = collected.into_iter().filter_map(|c| c.inventory).collect();
                if accounts.is_empty() {
                    let list = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                    return Err(JobError::Input(format!("no account could be collected: {list}")));
                }
                Ok((securebase_inventory::Snapshot { source: "accounts".into(), accounts }, problems))
            }
            other => Err(JobError::Input(format!("unknown scan source {other:?}"))),
        }
    }

    async fn drift(&self, job: &Job, report: &ScanReport) -> Result<Drift, StoreError> {
        let current = Side::of_report(&job.scan_id, report);
        let previous = self.store.previous_of_scope(&job.tenant_id, &job.scope, &job.scan_id).await?;
        Ok(securebase_drift::compare(previous.as_ref(), &current))
    }

    /// `scan.finished` always; `finding.new_failures` when new failures at or above the
    /// webhook's severity appeared. Nothing without a webhook.
    async fn notifications(&self, job: &Job, report: &ScanReport, drift: &Drift) -> Result<Vec<Notification>, StoreError> {
        let Some(hook) = self.store.get_webhook(&job.tenant_id).await? else { return Ok(vec![]) };
        let findings: usize = report.accounts.iter().map(|a| a.findings.len()).sum();
        let failing: usize = report.accounts.iter().flat_map(|a| &a.findings).filter(|f| f.status == "fail").count();
        let mut out = vec![Notification {
            event: "scan.finished".into(),
            payload: json!({
                "event": "scan.finished",
                "tenant_id": job.tenant_id,
                "scan_id": job.scan_id,
                "status": "succeeded",
                "accounts": report.organization.accounts,
                "resources": report.organization.resources,
                "findings": findings,
                "failing": failing,
                "scores": report.organization.frameworks.iter().map(|f| (f.framework.clone(), f.summary.score)).collect::<std::collections::BTreeMap<_, _>>(),
                "drift": drift.summary(),
            })
            .to_string(),
        }];
        let new = drift.new_failures_at_least(&hook.min_severity);
        if !new.is_empty() {
            out.push(Notification {
                event: "finding.new_failures".into(),
                payload: json!({
                    "event": "finding.new_failures",
                    "tenant_id": job.tenant_id,
                    "scan_id": job.scan_id,
                    "previous_scan": drift.previous_scan,
                    "min_severity": hook.min_severity,
                    "new_failures": new,
                })
                .to_string(),
            });
        }
        Ok(out)
    }

    /// The scan's usage event, keyed by scan so that a resumed scan meters once.
    async fn usage(&self, job: &Job, report: &ScanReport) -> Result<Option<securebase_store::UsageEvent>, StoreError> {
        let detail = json!({
            "frameworks": report.organization.frameworks.iter().map(|f| &f.framework).collect::<Vec<_>>(),
            "accounts": report.organization.accounts,
            "resources": report.organization.resources,
            "controls_evaluated": report.organization.frameworks.iter().map(|f| f.summary.total_controls).sum::<u32>(),
            "duration_ms": report.duration_ms,
        })
        .to_string();
        let tier = self.store.tenant_tier(&job.tenant_id).await?;
        Ok(tier.map(|t| {
            usage_event(
                &self.pricing,
                &job.tenant_id,
                t,
                securebase_billing::EventKind::ComplianceScan,
                format!("scan:{}", job.scan_id),
                true,
                detail,
            )
        }))
    }
}

/// Renews the lease every third of its length; marks it lost when renewal is refused.
async fn renew(store: Store, job: Job, config: Arc<WorkerConfig>, lost: Arc<AtomicBool>) {
    loop {
        tokio::time::sleep(config.lease / 3).await;
        match store.renew_lease(&job, &config.id, config.lease).await {
            Ok(true) => {}
            Ok(false) => {
                lost.store(true, Ordering::Relaxed);
                return;
            }
            // A database hiccup: try again; the lease may still be saved in time.
            Err(e) => tracing::warn!(scan = %job.scan_id, error = %e, "cannot renew the lease"),
        }
    }
}
