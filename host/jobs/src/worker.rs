//! A worker: claims scan jobs from the database, keeps its lease alive while it runs
//! one, and stores the result with its drift, usage and notifications.
//!
//! A scan of more accounts than [`WorkerConfig::batch_accounts`] is split: the worker
//! that claimed it (its coordinator) plans account batches, which any worker claims
//! before claiming a scan (see `securebase_store`'s batches), collects, and stores under
//! the batch's lease. A batch is evaluated where it is collected (with its tenant's
//! plugins and exceptions, and its share of the tenant's fuel budget), and stored with
//! the fingerprint of what evaluated it (the engine's version, the plugins, limits,
//! metering, the tier's fuel budget and the exceptions in force). The coordinator
//! collects batches too, and when the last one is stored it scores every account
//! together and stores the scan as one (scored, drifted, metered and notified once); it
//! evaluates again only the accounts of a batch evaluated with another fingerprint
//! (another version, a plugin upgraded, the tier or an exception changed meanwhile) or
//! not at all. A worker claims its next batch as soon as every account of the batches
//! it holds is under way and one of its account slots is free, so the slowest accounts
//! of one batch do not leave its other slots idle.

use crate::{ProgressWriter, usage_event};
use securebase_drift::{Drift, Side};
use securebase_inventory::{AccountInventory, Snapshot};
use securebase_scan::{Additions, CollectionErrorEntry, EvaluatedAccount, ScanError, ScanReport, Scanner};
use securebase_store::{Batch, ClaimLimits, Job, JobOutcome, Notification, Store, StoreError, Tenant, TenantAccount};
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
    /// Accounts collected at once within one scan, or across the batches a worker holds.
    pub collect_concurrency: usize,
    /// A scan of a tenant's accounts with more accounts than this is split into batches
    /// of this many, which any worker may collect (0: never split).
    pub batch_accounts: usize,
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
            batch_accounts: 25,
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
    /// The `collect_concurrency` account slots all the batches this worker holds share.
    slots: securebase_collect::Slots,
    /// Set by [`Worker::run`] when told to stop: no more batches are claimed.
    stopping: Arc<AtomicBool>,
}

/// A spawned task that ends with its owner: a lease renewal must stop when the work it
/// covers is dropped, or the lease would outlive it and nobody could claim the work again.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
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
    /// Another worker has the scan now (its lease was lost): nothing is stored.
    #[error("the scan's lease was lost")]
    Lost,
}

/// What a batch stores: the inventories of the accounts it collected (in the snapshot
/// upload format), what it could not read, and those accounts evaluated.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct BatchResult {
    accounts: Vec<serde_json::Value>,
    errors: Vec<CollectionErrorEntry>,
    /// A [`BatchEvaluation`]; absent when the batch's worker could not evaluate it (or
    /// predates evaluating batches): its coordinator evaluates those accounts. Read
    /// apart, so one a coordinator cannot read does not make the batch unreadable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    evaluated: Option<serde_json::Value>,
}

/// What a split scan's batches evaluated, as its coordinator reads them back.
#[derive(Debug, Default)]
struct Evaluated {
    /// The accounts of every batch, collected or not (what fuel budget shares count).
    planned: usize,
    batches: Vec<BatchEvaluation>,
}

/// A batch's accounts evaluated by the worker that collected them.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct BatchEvaluation {
    /// [`Scanner::fingerprint`] of what evaluated them.
    fingerprint: String,
    accounts: Vec<EvaluatedAccount>,
}

impl Worker {
    /// A worker.
    pub fn new(store: Store, scanner: Arc<Scanner>, pricing: Arc<securebase_billing::Pricing>, config: WorkerConfig) -> Self {
        let slots = securebase_collect::Slots::new(config.collect_concurrency);
        Self { store, scanner, pricing, config: Arc::new(config), wake: None, slots, stopping: Arc::new(AtomicBool::new(false)) }
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

    /// Claims and runs jobs until `stop` turns true; the job in hand is finished first
    /// (and the batches in hand, without claiming more).
    pub async fn run(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let _watch = AbortOnDrop(tokio::spawn({
            let (mut stop, stopping) = (stop.clone(), self.stopping.clone());
            async move {
                while !*stop.borrow_and_update() {
                    if stop.changed().await.is_err() {
                        return;
                    }
                }
                stopping.store(true, Ordering::Relaxed);
            }
        }));
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

    /// Claims batches of split scans while there are any (overlapping them, see
    /// `run_batches`), or else one job, and runs them to the end; returns the scan of the
    /// first, or `None` if there was nothing to claim.
    pub async fn run_one(&self) -> Result<Option<String>, StoreError> {
        let (worker, lease, limits) = (&self.config.id, self.config.lease, &self.config.limits);
        // Batches first: a split scan ends when its last batch is stored, and its
        // coordinator holds a scan slot until then. The tenants' share of batches
        // (`limits.batches_per_tenant`) leaves this worker free for a waiting scan.
        if let Some(scan) = self.run_batches(None, &self.stopping).await? {
            return Ok(Some(scan));
        }
        let Some(job) = self.store.claim_job(worker, lease, limits).await? else {
            return Ok(None);
        };
        tracing::info!(worker = %self.config.id, scan = %job.scan_id, tenant = %job.tenant_id, attempt = job.attempt, "claimed scan");
        securebase_metrics::global().scan_started(&job.source);
        let lost = Arc::new(AtomicBool::new(false));
        let renewal = AbortOnDrop(tokio::spawn(renew(self.store.clone(), job.clone(), self.config.clone(), lost.clone())));
        let outcome = self.execute(&job, &lost).await;
        drop(renewal);
        match outcome {
            Ok(true) => {}
            Ok(false) | Err(JobError::Lost) => {
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
        let (snapshot, problems, batches) = self.input(job, &events, lost).await?;
        // Kept with the result, so a finding can be replayed on what was evaluated.
        let kept = securebase_scan::KeptInventory::of(&snapshot.accounts);
        let (additions, unloadable) = self.additions(&job.tenant_id).await?;
        let scanner = self.scanner.clone();
        let listed = problems.clone();
        let progress = events.clone();
        let report = tokio::task::spawn_blocking(move || {
            let mut report = evaluate_and_score(&scanner, snapshot, batches, &additions, &|p| progress.evaluated(p))?;
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
    async fn additions(&self, tenant: &str) -> Result<(Additions, Vec<(String, String)>), JobError> {
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

    /// The inventory a job evaluates, what collection could not read, and (for a split
    /// scan) what its batches evaluated where they were collected.
    async fn input(
        &self,
        job: &Job,
        events: &ProgressWriter,
        lost: &AtomicBool,
    ) -> Result<(Snapshot, Vec<CollectionErrorEntry>, Evaluated), JobError> {
        match job.source.as_str() {
            "demo" => Ok((securebase_inventory::demo(), vec![], Evaluated::default())),
            "snapshot" => {
                let text = job.input.as_deref().ok_or_else(|| JobError::Input("the uploaded snapshot is missing".into()))?;
                let docs: Vec<serde_json::Value> =
                    serde_json::from_str(text).map_err(|e| JobError::Input(format!("the uploaded snapshot is unreadable: {e}")))?;
                let snapshot = securebase_inventory::from_documents(&docs, "upload").map_err(|e| JobError::Input(e.to_string()))?;
                Ok((snapshot, vec![], Evaluated::default()))
            }
            "accounts" => {
                let tenant =
                    self.store.get_tenant(&job.tenant_id).await?.ok_or_else(|| JobError::Input("the tenant no longer exists".into()))?;
                if tenant.accounts.is_empty() {
                    return Err(JobError::Input("this tenant lists no accounts".into()));
                }
                // A scan split by an earlier attempt stays split (whatever this worker's
                // --batch-accounts or the tenant's account list now), so no batch is left behind.
                let split = self.store.batch_progress(&job.tenant_id, &job.scan_id).await?.total > 0
                    || (self.config.batch_accounts > 0 && tenant.accounts.len() > self.config.batch_accounts);
                let (accounts, problems, evaluated) = if split {
                    self.batched(job, &tenant, events, lost).await?
                } else {
                    let total = tenant.accounts.len();
                    let done = std::sync::atomic::AtomicUsize::new(0);
                    let collected = self
                        .collect_accounts(&tenant, tenant.accounts.iter().collect(), None, &|c| {
                            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                            events.collected(&c.account_id, c.errors.len(), n, total);
                        })
                        .await;
                    events.flush().await;
                    let problems = crate::collection_entries(&collected);
                    (collected.into_iter().filter_map(|c| c.inventory).collect(), problems, Evaluated::default())
                };
                if accounts.is_empty() {
                    let list = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                    return Err(JobError::Input(format!("no account could be collected: {list}")));
                }
                Ok((Snapshot { source: "accounts".into(), accounts }, problems, evaluated))
            }
            other => Err(JobError::Input(format!("unknown scan source {other:?}"))),
        }
    }

    /// Collects some of a tenant's accounts (one collection per account, in any order;
    /// `progress` is told of each as it ends). Every AssumeRole carries the tenant's
    /// external ID; an account without a role is refused unless the operator allows
    /// ambient credentials. A batch's accounts (`batch`: the slots reserved for them when
    /// it was claimed) share the worker's slots; a whole scan's get slots of their own.
    async fn collect_accounts(
        &self,
        tenant: &Tenant,
        accounts: Vec<&TenantAccount>,
        batch: Option<securebase_collect::Reservation>,
        progress: &(dyn Fn(&securebase_collect::AccountCollection) + Sync),
    ) -> Vec<securebase_collect::AccountCollection> {
        let (with_role, ambient): (Vec<_>, Vec<_>) =
            accounts.into_iter().partition(|a| a.role_arn.is_some() || self.config.allow_ambient_credentials);
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
        // A batch's accounts share the worker's slots with its other batches; a whole
        // scan's collection has slots of its own.
        let mut collected = match batch {
            Some(reserved) => securebase_collect::collect_all_in(&file, &options, &self.slots, Some(reserved), progress).await,
            None => securebase_collect::collect_all(&file, &options, self.config.collect_concurrency, progress).await,
        };
        collected.extend(ambient.iter().map(|a| {
            let c = securebase_collect::AccountCollection {
                account_id: a.account_id.clone(),
                inventory: None,
                errors: vec![securebase_collect::CollectError {
                    service: "sts".into(),
                    region: "global".into(),
                    message: "no role_arn: the service reaches a tenant's accounts only by assuming a role with the tenant's external ID"
                        .into(),
                }],
            };
            progress(&c);
            c
        }));
        collected
    }

    /// A split scan's inventory, as its coordinator gathers it: plans the batches (or
    /// finds those of the attempt before), collects batches itself while any is left to
    /// claim, waits for those other workers hold, and reads back what every batch stored
    /// (with what it evaluated). A batch given up counts as its accounts not collected.
    async fn batched(
        &self,
        job: &Job,
        tenant: &Tenant,
        events: &ProgressWriter,
        lost: &AtomicBool,
    ) -> Result<(Vec<AccountInventory>, Vec<CollectionErrorEntry>, Evaluated), JobError> {
        let plan: Vec<Vec<String>> =
            tenant.accounts.chunks(self.config.batch_accounts.max(1)).map(|c| c.iter().map(|a| a.account_id.clone()).collect()).collect();
        let total = self.store.plan_batches(job, &self.config.id, &plan).await?.ok_or(JobError::Lost)?;
        events
            .event(
                "batches_planned",
                json!({ "batches": total, "accounts": tenant.accounts.len(), "batch_accounts": self.config.batch_accounts }),
            )
            .await;
        loop {
            if lost.load(Ordering::Relaxed) {
                return Err(JobError::Lost);
            }
            if self.run_batches(Some(&job.scan_id), lost).await?.is_some() {
                continue;
            }
            if lost.load(Ordering::Relaxed) {
                return Err(JobError::Lost);
            }
            if self.store.batch_progress(&job.tenant_id, &job.scan_id).await?.settled() {
                break;
            }
            // Other workers hold the rest; a dead one's batch is claimable when its lease ends.
            tokio::time::sleep(self.config.poll).await;
        }
        let rows = self.store.scan_batches(&job.tenant_id, &job.scan_id, true).await?;
        // Megabytes of JSON for a large organization: read off the async threads.
        tokio::task::spawn_blocking(move || read_batches(rows))
            .await
            .map_err(|e| JobError::Input(format!("reading the batches back stopped unexpectedly: {e}")))?
    }

    /// Claims batches (of `scan` only, when given) and runs them until none is left to
    /// claim, overlapping them: the next is claimed once every account of those in hand
    /// has a slot and a slot is free. Stops claiming when `stop` is set and returns when
    /// the batches in hand are stored. The scan of the first batch, `None` if there was none.
    async fn run_batches(&self, scan: Option<&str>, stop: &AtomicBool) -> Result<Option<String>, StoreError> {
        let (worker, lease, limits) = (&self.config.id, self.config.lease, &self.config.limits);
        let mut first = None;
        let mut failed = None;
        // Each batch is a task of its own, so it keeps going while this loop waits on a
        // claim: polled only from here, a batch parked inside a transaction would hold
        // SQLite's one write lock while the claim waited for it.
        let mut running = tokio::task::JoinSet::new();
        loop {
            // Each batch in hand reserves slots for its accounts when claimed (see
            // `Slots::reserve`): none waiting means all of them are under way.
            let room = running.is_empty() || (self.slots.waiting() == 0 && self.slots.free() > 0);
            if room && failed.is_none() && !stop.load(Ordering::Relaxed) {
                match self.store.claim_batch(worker, lease, scan, limits).await {
                    Ok(Some(batch)) => {
                        first.get_or_insert_with(|| batch.scan_id.clone());
                        let reserved = self.slots.reserve(batch.accounts.len());
                        let worker = self.clone();
                        running.spawn(async move { worker.run_batch(batch, reserved).await });
                        continue;
                    }
                    // Nothing now: a slot freed later is a reason to look again.
                    Ok(None) => {}
                    // No more claims, but the batches in hand are still stored below.
                    Err(e) => {
                        failed.get_or_insert(e);
                    }
                }
            }
            if running.is_empty() {
                return match failed {
                    Some(e) => Err(e),
                    None => Ok(first),
                };
            }
            tokio::select! {
                done = running.join_next() => match done {
                    // The other batches in hand are still stored (each under its own
                    // lease) before the error is reported.
                    Some(Ok(Err(e))) => {
                        failed.get_or_insert(e);
                    }
                    // Its lease renewal ended with it: another worker takes the batch
                    // when the lease runs out.
                    Some(Err(e)) => tracing::error!(worker = %self.config.id, error = %e, "a batch's task failed"),
                    Some(Ok(Ok(_))) | None => {}
                },
                _ = self.slots.changed() => {}
            }
        }
    }

    /// Collects a claimed batch's accounts, evaluates them, and stores both under its
    /// lease; `false` when the lease was lost first (another worker has the batch;
    /// nothing stored).
    /// `reserved`: the worker's slots reserved for its accounts, given back as they start.
    async fn run_batch(&self, batch: Batch, reserved: securebase_collect::Reservation) -> Result<bool, StoreError> {
        let id = &self.config.id;
        tracing::info!(worker = %id, scan = %batch.scan_id, batch = batch.seq, attempt = batch.attempt, "claimed a batch of accounts");
        let lost = Arc::new(AtomicBool::new(false));
        let renewal = AbortOnDrop(tokio::spawn({
            let (store, batch, config, lost) = (self.store.clone(), batch.clone(), self.config.clone(), lost.clone());
            keep_leased(config.lease, lost, move || {
                let (store, batch, config) = (store.clone(), batch.clone(), config.clone());
                async move { store.renew_batch_lease(&batch, &config.id, config.lease).await }
            })
        }));
        let collected = match self.collect_batch(&batch, reserved).await {
            Ok(c) => c,
            Err(e) => {
                drop(renewal);
                return Err(e);
            }
        };
        let errors = crate::collection_entries(&collected);
        let accounts: Vec<_> = collected.iter().filter_map(|c| c.inventory.as_ref()).map(securebase_inventory::to_value).collect();
        drop(collected);
        let (text, counts) = self.batch_result(&batch, accounts, errors, &lost).await;
        drop(renewal);
        if lost.load(Ordering::Relaxed) || !self.store.finish_batch(&batch, id, &text).await? {
            tracing::warn!(worker = %id, scan = %batch.scan_id, batch = batch.seq, "batch lease lost before it was stored: another worker has it");
            return Ok(false);
        }
        let progress = self.store.batch_progress(&batch.tenant_id, &batch.scan_id).await?;
        let mut data = json!({
            "batch": batch.seq,
            "worker": id,
            "attempt": batch.attempt,
            "accounts": batch.accounts.len(),
            "batches_done": progress.done,
            "batches_total": progress.total,
        });
        data.as_object_mut().expect("an object").extend(counts);
        if let Err(e) = self.store.append_scan_event(&batch.tenant_id, &batch.scan_id, "batch_collected", &data).await {
            tracing::warn!(scan = %batch.scan_id, error = %e, "cannot record scan progress");
        }
        Ok(true)
    }

    /// A batch's result as stored, and its counts for the `batch_collected` event: the
    /// accounts' documents, what could not be collected and those accounts evaluated
    /// here, where they were collected. What is evaluated is the documents read back,
    /// exactly what the coordinator keeps with the scan; with the tenant's plugins and
    /// exceptions as they are now, and the batch's share of the tenant's fuel budget (its
    /// accounts' share of the scan's). Left unevaluated, for the coordinator to evaluate
    /// (and to report why, if it cannot either), when nothing was collected, the lease is
    /// lost (nothing will be stored), or the tenant's additions cannot be read, the
    /// documents parsed or the evaluation finished. JSON and evaluation run off the
    /// async threads.
    async fn batch_result(
        &self,
        batch: &Batch,
        accounts: Vec<serde_json::Value>,
        errors: Vec<CollectionErrorEntry>,
        lost: &Arc<AtomicBool>,
    ) -> (String, serde_json::Map<String, serde_json::Value>) {
        let (accounts, evaluated) = match self.evaluate_batch(batch, accounts, lost).await {
            Ok((accounts, evaluated)) => (accounts, Some(evaluated)),
            Err((accounts, why)) => {
                if let Some(why) = why {
                    tracing::warn!(worker = %self.config.id, scan = %batch.scan_id, batch = batch.seq, error = %why, "cannot evaluate the batch where it was collected; its coordinator will");
                }
                (accounts, None)
            }
        };
        let made = tokio::task::spawn_blocking(move || {
            let mut counts = serde_json::Map::new();
            counts.insert("collected".into(), accounts.len().into());
            counts.insert("errors".into(), errors.len().into());
            counts.insert("evaluated".into(), evaluated.as_ref().map_or(0, |e| e.accounts.len()).into());
            let findings: usize = evaluated.iter().flat_map(|e| &e.accounts).map(|a| a.result.findings.len()).sum();
            counts.insert("findings".into(), findings.into());
            let evaluated = evaluated.map(|e| serde_json::to_value(e).expect("an evaluation serializes"));
            let text = serde_json::to_string(&BatchResult { accounts, errors, evaluated }).expect("a batch result serializes");
            (text, counts)
        });
        made.await.expect("serializing a batch's result does not panic")
    }

    /// A batch's documents evaluated (see [`Worker::batch_result`]), and the documents
    /// given back; or the documents and why not (`None`: nothing to say, as when nothing
    /// was collected or the lease is lost). A panic in the evaluation is a reason, not
    /// the end of the batch's task: its accounts were collected and are stored.
    async fn evaluate_batch(
        &self,
        batch: &Batch,
        accounts: Vec<serde_json::Value>,
        lost: &Arc<AtomicBool>,
    ) -> Result<(Vec<serde_json::Value>, BatchEvaluation), (Vec<serde_json::Value>, Option<String>)> {
        if accounts.is_empty() || lost.load(Ordering::Relaxed) {
            return Err((accounts, None));
        }
        let (additions, fingerprint) = match self.batch_additions(batch).await {
            Ok(a) => a,
            Err(e) => return Err((accounts, Some(e.to_string()))),
        };
        let (scanner, lost) = (self.scanner.clone(), lost.clone());
        let accounts = Arc::new(accounts);
        let docs = accounts.clone();
        let evaluated = tokio::task::spawn_blocking(move || {
            let snapshot = securebase_inventory::from_documents(&docs, "batch").map_err(|e| Some(e.to_string()))?;
            // Its lease may have been lost while the tenant's plugins were loaded.
            if lost.load(Ordering::Relaxed) {
                return Err(None);
            }
            let n = snapshot.accounts.len();
            let accounts =
                scanner.evaluate_accounts(snapshot.accounts.into_iter(), n, &additions, &|_| {}).map_err(|e| Some(e.to_string()))?;
            Ok(BatchEvaluation { fingerprint, accounts })
        })
        .await;
        let accounts = Arc::try_unwrap(accounts).unwrap_or_else(|shared| (*shared).clone());
        match evaluated {
            Ok(Ok(e)) => Ok((accounts, e)),
            Ok(Err(why)) => Err((accounts, why)),
            Err(e) => Err((accounts, Some(format!("the evaluation stopped unexpectedly: {e}")))),
        }
    }

    /// The tenant's additions for evaluating one batch, with the batch's share of the fuel
    /// budget, and the fingerprint of them (taken before the share: the coordinator's
    /// has the whole budget).
    async fn batch_additions(&self, batch: &Batch) -> Result<(Additions, String), JobError> {
        let (mut additions, _unloadable) = self.additions(&batch.tenant_id).await?;
        let fingerprint = self.scanner.fingerprint(&additions).map_err(|e| JobError::Input(e.to_string()))?;
        let planned: usize = self.store.scan_batches(&batch.tenant_id, &batch.scan_id, false).await?.iter().map(|b| b.accounts.len()).sum();
        additions.fuel_budget = additions.fuel_budget.map(|b| crate::budget_share(b, batch.accounts.len(), planned));
        Ok((additions, fingerprint))
    }

    /// A batch's accounts collected, as listed by the tenant now (an account the tenant
    /// removed since the scan was split is reported, not collected).
    async fn collect_batch(
        &self,
        batch: &Batch,
        reserved: securebase_collect::Reservation,
    ) -> Result<Vec<securebase_collect::AccountCollection>, StoreError> {
        let tenant = self.store.get_tenant(&batch.tenant_id).await?;
        let listed: Vec<&TenantAccount> = match &tenant {
            Some(t) => batch.accounts.iter().filter_map(|id| t.accounts.iter().find(|a| &a.account_id == id)).collect(),
            None => vec![],
        };
        let mut collected = match &tenant {
            // Accounts it no longer lists, or refused for want of a role, never take a
            // slot: the collection keeps only the reservations of those it starts.
            Some(t) if !listed.is_empty() => self.collect_accounts(t, listed, Some(reserved), &|_| {}).await,
            _ => vec![],
        };
        for id in &batch.accounts {
            if !collected.iter().any(|c| &c.account_id == id) {
                collected.push(securebase_collect::AccountCollection {
                    account_id: id.clone(),
                    inventory: None,
                    errors: vec![securebase_collect::CollectError {
                        service: "batch".into(),
                        region: "global".into(),
                        message: "the tenant no longer lists this account".into(),
                    }],
                });
            }
        }
        Ok(collected)
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

/// A scan's report from its inventory and what its batches evaluated. An account a
/// batch evaluated with this scanner's fingerprint for `additions` is taken as it is;
/// the others are evaluated here, with their share (of `planned` accounts: those of
/// every batch, collected or not) of the tenant's fuel budget. Progress is reported for
/// those only. The report's duration is this evaluation and scoring.
fn evaluate_and_score(
    scanner: &Scanner,
    snapshot: Snapshot,
    Evaluated { planned, batches }: Evaluated,
    additions: &Additions,
    progress: &(dyn Fn(securebase_scan::Progress) + Sync),
) -> Result<ScanReport, ScanError> {
    let started_at = securebase_inventory::time::now_rfc3339();
    let clock = std::time::Instant::now();
    let fingerprint = scanner.fingerprint(additions)?;
    let Snapshot { source, accounts } = snapshot;
    let total = planned.max(accounts.len());
    // Only accounts of the inventory, each once: what is scored is what is kept.
    let mut unevaluated: std::collections::HashSet<String> = accounts.iter().map(|a| a.account_id().to_string()).collect();
    let mut evaluated = vec![];
    let (mut reused, mut stale) = (0, 0);
    for batch in batches {
        if batch.fingerprint != fingerprint {
            stale += batch.accounts.len();
            continue;
        }
        for a in batch.accounts {
            if unevaluated.remove(&a.result.account_id) {
                reused += 1;
                evaluated.push(a);
            }
        }
    }
    let rest: Vec<AccountInventory> = accounts.into_iter().filter(|a| unevaluated.contains(a.account_id())).collect();
    if reused + stale > 0 {
        tracing::info!(reused, stale, here = rest.len(), "accounts evaluated by the batches that collected them, and here");
    }
    let share = Additions { fuel_budget: additions.fuel_budget.map(|b| crate::budget_share(b, rest.len(), total)), ..additions.clone() };
    let n = rest.len();
    evaluated.extend(scanner.evaluate_accounts(rest.into_iter(), n, &share, progress)?);
    scanner.assemble(source, additions, evaluated, started_at, clock)
}

/// What a split scan's batches stored, read back: the accounts' inventories, what could
/// not be collected (a batch given up counts as its accounts not collected), how many
/// accounts were planned, and what the batches evaluated. An evaluation that cannot be
/// read (a worker of another version) is left out: its accounts are evaluated again.
fn read_batches(rows: Vec<securebase_store::BatchRow>) -> Result<(Vec<AccountInventory>, Vec<CollectionErrorEntry>, Evaluated), JobError> {
    let mut documents = vec![];
    let mut problems = vec![];
    let mut evaluated = vec![];
    let planned = rows.iter().map(|r| r.accounts.len()).sum();
    for row in rows {
        match (row.status.as_str(), row.result) {
            ("done", Some(text)) => {
                let r: BatchResult = serde_json::from_str(&text)
                    .map_err(|e| JobError::Input(format!("batch {} of the scan stored an unreadable result: {e}", row.seq)))?;
                documents.extend(r.accounts);
                problems.extend(r.errors);
                match r.evaluated.map(serde_json::from_value::<BatchEvaluation>) {
                    Some(Ok(e)) => evaluated.push(e),
                    Some(Err(e)) => {
                        tracing::warn!(batch = row.seq, error = %e, "a batch's evaluation cannot be read; its accounts are evaluated again")
                    }
                    None => {}
                }
            }
            _ => {
                let why = row.error.unwrap_or_else(|| format!("batch {} stored nothing", row.seq));
                problems.extend(row.accounts.iter().map(|a| CollectionErrorEntry {
                    account_id: a.clone(),
                    service: "batch".into(),
                    region: "global".into(),
                    message: why.clone(),
                }));
            }
        }
    }
    let snapshot = securebase_inventory::from_documents(&documents, "accounts")
        .map_err(|e| JobError::Input(format!("the batches' inventories cannot be read: {e}")))?;
    Ok((snapshot.accounts, problems, Evaluated { planned, batches: evaluated }))
}

/// Renews a scan's lease every third of its length; marks it lost when renewal is refused.
async fn renew(store: Store, job: Job, config: Arc<WorkerConfig>, lost: Arc<AtomicBool>) {
    keep_leased(config.lease, lost, move || {
        let (store, job, config) = (store.clone(), job.clone(), config.clone());
        async move { store.renew_lease(&job, &config.id, config.lease).await }
    })
    .await
}

/// Calls `renew` every third of `lease` until it is refused (then marks the lease lost).
async fn keep_leased<F, R>(lease: Duration, lost: Arc<AtomicBool>, renew: R)
where
    R: Fn() -> F,
    F: Future<Output = Result<bool, StoreError>>,
{
    loop {
        tokio::time::sleep(lease / 3).await;
        match renew().await {
            Ok(true) => {}
            Ok(false) => {
                lost.store(true, Ordering::Relaxed);
                return;
            }
            // A database hiccup: try again; the lease may still be saved in time.
            Err(e) => tracing::warn!(error = %e, "cannot renew a lease"),
        }
    }
}
