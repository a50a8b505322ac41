//! Scans as jobs shared by many workers, their progress events, schedules and webhooks.
//!
//! A queued scan is claimed by one worker at a time: the claim sets a lease that the
//! worker renews while it works. A worker that dies stops renewing; once the lease has
//! expired, any worker may claim the scan again and runs it from its input (findings
//! are written only when a scan ends, in one transaction conditioned on still holding
//! the lease, so a resumed scan never has two sets of findings nor two usage events).
//! On PostgreSQL claims take `FOR UPDATE SKIP LOCKED` under a transaction-level
//! advisory lock, so that the per-tenant and global concurrency limits hold exactly
//! however many workers ask at once; SQLite serializes writers by itself.

use crate::scans::{SCAN_COLUMNS, scan_from_row};
use crate::{Backend, Scope, Store, StoreError, col, new_id, now, timestamp};
use serde::Serialize;
use sqlx::any::AnyRow;
use std::time::{Duration, SystemTime};

/// A scan to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewScan {
    /// `demo`, `snapshot` or `accounts`.
    pub source: String,
    /// What drift compares it with (see [`crate::ScanRow::scope`]).
    pub scope: String,
    /// What a worker needs that the database does not otherwise hold (an uploaded snapshot).
    pub input: Option<String>,
    /// The actor that asked for it (`schedule:<id>` for scheduled scans).
    pub requested_by: String,
    /// The schedule that queued it.
    pub schedule_id: Option<String>,
}

/// How many scans may run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimLimits {
    /// Scans of one tenant running at once, across all workers.
    pub per_tenant: u32,
    /// Scans running at once, across all workers and tenants.
    pub global: u32,
    /// Claims of one scan before it is failed instead of resumed again (a scan that
    /// kills every worker that takes it must not take them all down in turn).
    pub max_attempts: u32,
}

impl Default for ClaimLimits {
    fn default() -> Self {
        Self { per_tenant: 2, global: 16, max_attempts: 3 }
    }
}

/// A claimed scan.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The tenant.
    pub tenant_id: String,
    /// The scan.
    pub scan_id: String,
    /// `demo`, `snapshot` or `accounts`.
    pub source: String,
    /// Its scope.
    pub scope: String,
    /// Its input, as queued.
    pub input: Option<String>,
    /// 1 for the first claim; more when resumed after a lost lease.
    pub attempt: i64,
}

/// A notification to deliver to the tenant's webhook, if it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// `scan.finished` or `finding.new_failures`.
    pub event: String,
    /// The JSON body.
    pub payload: String,
}

/// What a job adds to a finished scan.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome<'a> {
    /// The worker that must still hold the lease.
    pub owner: Option<&'a str>,
    /// The drift document and its summary.
    pub drift: Option<(&'a str, &'a str)>,
    /// Notifications, queued in the same transaction.
    pub notifications: &'a [Notification],
    /// What the scan could not read, stored with the result (never a moment after it).
    pub note: Option<&'a str>,
}

/// One progress event of a scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanEvent {
    /// Increasing across all scans; an SSE client resumes after it.
    pub id: i64,
    /// RFC 3339.
    pub at: String,
    /// `queued`, `started`, `accounts_collected`, `account_evaluated`, `finished`, `failed`.
    pub kind: String,
    /// Its details (JSON).
    pub data: serde_json::Value,
}

/// A tenant's recurring scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schedule {
    /// Its id.
    pub id: String,
    /// The tenant.
    pub tenant_id: String,
    /// Five-field cron expression.
    pub cron: String,
    /// IANA time zone the expression is read in.
    pub timezone: String,
    /// `demo` or `accounts`.
    pub source: String,
    /// When it is next due (RFC 3339, UTC).
    pub next_run_at: String,
    /// When it last queued a scan.
    pub last_run_at: Option<String>,
    /// The scan it last queued.
    pub last_scan_id: Option<String>,
    /// Who set it.
    pub created_by: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A tenant's webhook. Its signing secret is not stored: it is derived from the
/// service's secret key and the webhook id (see the jobs crate).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Webhook {
    /// Its id (changes when the webhook is replaced, and so does the secret).
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// New failures at or above this severity are notified.
    pub min_severity: String,
    /// Who set it.
    pub created_by: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A webhook delivery, pending or done.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    /// Its id (sent as `X-SecureBase-Delivery`; stable across retries).
    pub id: String,
    /// The tenant.
    pub tenant_id: String,
    /// The webhook it was queued for.
    pub webhook_id: String,
    /// Where it goes.
    pub url: String,
    /// The event.
    pub event: String,
    /// The scan it is about.
    pub scan_id: String,
    /// The JSON body.
    pub payload: String,
    /// `pending`, `delivered` or `failed` (gave up).
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// The receiver's last HTTP status.
    pub last_status: Option<i64>,
    /// What went wrong last.
    pub last_error: Option<String>,
}

const DELIVERY_COLUMNS: &str = "id, tenant_id, webhook_id, url, event, scan_id, payload, status, attempts, last_status, last_error";

fn delivery_from_row(row: &AnyRow) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: col(row, "id")?,
        tenant_id: col(row, "tenant_id")?,
        webhook_id: col(row, "webhook_id")?,
        url: col(row, "url")?,
        event: col(row, "event")?,
        scan_id: col(row, "scan_id")?,
        payload: col(row, "payload")?,
        status: col(row, "status")?,
        attempts: col(row, "attempts")?,
        last_status: col(row, "last_status")?,
        last_error: col(row, "last_error")?,
    })
}

const SCHEDULE_COLUMNS: &str = "id, tenant_id, cron, timezone, source, next_run_at, last_run_at, last_scan_id, created_by, created_at";

fn schedule_from_row(row: &AnyRow) -> Result<Schedule, StoreError> {
    Ok(Schedule {
        id: col(row, "id")?,
        tenant_id: col(row, "tenant_id")?,
        cron: col(row, "cron")?,
        timezone: col(row, "timezone")?,
        source: col(row, "source")?,
        next_run_at: col(row, "next_run_at")?,
        last_run_at: col(row, "last_run_at")?,
        last_scan_id: col(row, "last_scan_id")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
    })
}

/// The scope of a scan of uploaded accounts: the set of their ids, as a digest (a
/// scope is indexed, and an organization's id list can be longer than an index row).
pub fn snapshot_scope<'a>(account_ids: impl IntoIterator<Item = &'a str>) -> String {
    use sha2::Digest;
    let ids: std::collections::BTreeSet<&str> = account_ids.into_iter().collect();
    let mut h = sha2::Sha256::new();
    for id in &ids {
        h.update(id.as_bytes());
        h.update(b",");
    }
    format!("snapshot:{}:{}", ids.len(), crate::hex(&h.finalize()[..16]))
}

/// Now by the database's clock on PostgreSQL (workers on many machines judge leases by
/// one clock, whatever their own say), by this machine's on SQLite (one machine anyway).
async fn db_now(tx: &mut sqlx::Transaction<'static, sqlx::Any>, backend: Backend) -> Result<SystemTime, StoreError> {
    if backend == Backend::Sqlite {
        return Ok(SystemTime::now());
    }
    let micros: i64 =
        sqlx::query_scalar("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)").fetch_one(&mut **tx).await?;
    Ok(SystemTime::UNIX_EPOCH + Duration::from_micros(micros.max(0) as u64))
}

async fn insert_scan(tx: &mut sqlx::Transaction<'static, sqlx::Any>, tenant: &str, new: &NewScan) -> Result<String, StoreError> {
    let id = new_id("s_");
    sqlx::query(
        "INSERT INTO scans (id, tenant_id, status, source, requested_by, created_at, scope, input, schedule_id) \
         VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(tenant)
    .bind(&new.source)
    .bind(&new.requested_by)
    .bind(now())
    .bind(&new.scope)
    .bind(new.input.clone())
    .bind(new.schedule_id.clone())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Queues a tenant's notifications with the webhook it has now (none: nothing queued).
pub(crate) async fn insert_deliveries(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: &str,
    scan: &str,
    notifications: &[Notification],
) -> Result<(), StoreError> {
    if notifications.is_empty() {
        return Ok(());
    }
    let Some(hook) = sqlx::query("SELECT id, url FROM webhooks WHERE tenant_id = $1").bind(tenant).fetch_optional(&mut **tx).await? else {
        return Ok(());
    };
    let (hook_id, url): (String, String) = (col(&hook, "id")?, col(&hook, "url")?);
    for n in notifications {
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, url, event, scan_id, payload, status, attempts, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8)",
        )
        .bind(new_id("d_"))
        .bind(tenant)
        .bind(&hook_id)
        .bind(&url)
        .bind(&n.event)
        .bind(scan)
        .bind(&n.payload)
        .bind(now())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Queues a scan for the workers; its `queued` event is the first of its progress stream.
    pub async fn enqueue_scan(&self, tenant: &str, new: &NewScan) -> Result<crate::ScanRow, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let id = insert_scan(&mut tx, tenant, new).await?;
        append_event(&mut tx, tenant, &id, "queued", &serde_json::json!({ "source": new.source })).await?;
        tx.commit().await?;
        Ok(self.get_scan(tenant, &id).await?.expect("a scan just queued is readable"))
    }

    /// Claims the oldest scan that is queued, or running with an expired lease, within
    /// `limits`; `None` when there is nothing to do (or the limits are reached).
    pub async fn claim_job(&self, worker: &str, lease: Duration, limits: &ClaimLimits) -> Result<Option<Job>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Worker).await?;
        let pg = self.backend == Backend::Postgres;
        if pg {
            // Claims one at a time across every worker: the limits count running scans.
            sqlx::query("SELECT pg_advisory_xact_lock(7301)").execute(&mut *tx).await?;
        }
        let clock = db_now(&mut tx, self.backend).await?;
        let at = timestamp(clock);
        // A scan whose workers keep dying is failed, not handed to the next one.
        sqlx::query(
            "UPDATE scans SET status = 'failed', finished_at = $1, error = $2, lease_expires_at = NULL \
             WHERE status = 'running' AND lease_expires_at < $1 AND attempts >= $3",
        )
        .bind(&at)
        .bind(format!("abandoned: {} workers took this scan and stopped answering before it ended", limits.max_attempts))
        .bind(i64::from(limits.max_attempts))
        .execute(&mut *tx)
        .await?;
        let sql = format!(
            "UPDATE scans SET status = 'running', lease_owner = $1, lease_expires_at = $2, attempts = attempts + 1, \
             started_at = COALESCE(started_at, $3) \
             WHERE id = (SELECT s.id FROM scans s \
                 WHERE (s.status = 'queued' OR (s.status = 'running' AND s.lease_expires_at < $3)) \
                 AND (SELECT COUNT(*) FROM scans r WHERE r.tenant_id = s.tenant_id AND r.status = 'running' \
                      AND r.lease_expires_at >= $3) < $4 \
                 AND (SELECT COUNT(*) FROM scans r WHERE r.status = 'running' AND r.lease_expires_at >= $3) < $5 \
                 ORDER BY s.created_at, s.id LIMIT 1{}) \
             RETURNING id, tenant_id, source, scope, input, attempts",
            if pg { " FOR UPDATE OF s SKIP LOCKED" } else { "" }
        );
        let row = sqlx::query(&sql)
            .bind(worker)
            .bind(timestamp(clock + lease))
            .bind(&at)
            .bind(i64::from(limits.per_tenant))
            .bind(i64::from(limits.global))
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Job {
            tenant_id: col(&row, "tenant_id")?,
            scan_id: col(&row, "id")?,
            source: col(&row, "source")?,
            scope: col(&row, "scope")?,
            input: col(&row, "input")?,
            attempt: col(&row, "attempts")?,
        }))
    }

    /// Extends a job's lease; `false` when the worker no longer holds it.
    pub async fn renew_lease(&self, job: &Job, worker: &str, lease: Duration) -> Result<bool, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(job.tenant_id.clone())).await?;
        let clock = db_now(&mut tx, self.backend).await?;
        let n = sqlx::query(
            "UPDATE scans SET lease_expires_at = $1 WHERE id = $2 AND tenant_id = $3 AND status = 'running' AND lease_owner = $4",
        )
        .bind(timestamp(clock + lease))
        .bind(&job.scan_id)
        .bind(&job.tenant_id)
        .bind(worker)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Stores a job's result if `worker` still holds its lease (`Ok(false)` and nothing
    /// written otherwise): findings, usage, drift, notifications and the note of what
    /// could not be collected, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn finish_job(
        &self,
        job: &Job,
        worker: &str,
        report: &securebase_scan::ScanReport,
        usage: Option<&crate::UsageEvent>,
        drift: Option<(&str, &str)>,
        notifications: &[Notification],
        note: Option<&str>,
    ) -> Result<bool, StoreError> {
        let outcome = Outcome { owner: Some(worker), drift, notifications, note };
        self.finish(&job.tenant_id, &job.scan_id, report, usage, &outcome).await
    }

    /// Fails a job if `worker` still holds its lease (with its stream's `failed` event).
    pub async fn fail_job(&self, job: &Job, worker: &str, error: &str) -> Result<bool, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(job.tenant_id.clone())).await?;
        let n = sqlx::query(
            "UPDATE scans SET status = 'failed', finished_at = $1, error = $2, lease_expires_at = NULL \
             WHERE id = $3 AND tenant_id = $4 AND status = 'running' AND lease_owner = $5",
        )
        .bind(now())
        .bind(error)
        .bind(&job.scan_id)
        .bind(&job.tenant_id)
        .bind(worker)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 1 {
            append_event(&mut tx, &job.tenant_id, &job.scan_id, "failed", &serde_json::json!({ "error": error })).await?;
        }
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Appends a progress event to a scan's stream.
    pub async fn append_scan_event(&self, tenant: &str, scan: &str, kind: &str, data: &serde_json::Value) -> Result<(), StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        append_event(&mut tx, tenant, scan, kind, data).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A scan's progress events after event `after` (0: from the start), oldest first.
    pub async fn scan_events(&self, tenant: &str, scan: &str, after: i64, limit: i64) -> Result<Vec<ScanEvent>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let rows = sqlx::query(
            "SELECT id, at, kind, data FROM scan_events WHERE tenant_id = $1 AND scan_id = $2 AND id > $3 ORDER BY id LIMIT $4",
        )
        .bind(tenant)
        .bind(scan)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter()
            .map(|r| {
                let data: String = col(r, "data")?;
                Ok(ScanEvent {
                    id: col(r, "id")?,
                    at: col(r, "at")?,
                    kind: col(r, "kind")?,
                    data: serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("scan event data: {e}")))?,
                })
            })
            .collect()
    }

    /// The newest succeeded scan of `scope` other than `except`, as drift compares a new
    /// scan with it: its findings' identities and statuses, its framework scores.
    pub async fn previous_of_scope(&self, tenant: &str, scope: &str, except: &str) -> Result<Option<securebase_drift::Side>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let row = sqlx::query(
            "SELECT id, summary FROM scans WHERE tenant_id = $1 AND scope = $2 AND status = 'succeeded' AND id <> $3 \
             ORDER BY finished_at DESC, id DESC LIMIT 1",
        )
        .bind(tenant)
        .bind(scope)
        .bind(except)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let (id, summary): (String, String) = (col(&row, "id")?, col(&row, "summary")?);
        let digest: crate::ScanDigest =
            serde_json::from_str(&summary).map_err(|e| StoreError::Corrupt(format!("scan {id} summary: {e}")))?;
        let rows = sqlx::query(
            "SELECT account_id, region, check_id, resource_type, resource_id, status, severity FROM findings \
             WHERE tenant_id = $1 AND scan_id = $2",
        )
        .bind(tenant)
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let findings = rows
            .iter()
            .map(|r| {
                Ok(securebase_drift::FindingKey {
                    account_id: col(r, "account_id")?,
                    region: col(r, "region")?,
                    check_id: col(r, "check_id")?,
                    resource_type: col(r, "resource_type")?,
                    resource_id: col(r, "resource_id")?,
                    status: col(r, "status")?,
                    severity: col(r, "severity")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let scores = digest.frameworks.iter().map(|f| (f.framework.clone(), f.summary.score)).collect();
        Ok(Some(securebase_drift::Side { scan_id: id, findings, scores }))
    }

    /// A succeeded scan's drift document.
    pub async fn scan_drift(&self, tenant: &str, scan: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let row = sqlx::query("SELECT drift FROM scans WHERE id = $1 AND tenant_id = $2 AND status = 'succeeded'")
            .bind(scan)
            .bind(tenant)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        let Some(row) = row else { return Ok(None) };
        let text: Option<String> = col(&row, "drift")?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("scan {scan} drift: {e}")))).transpose()
    }

    /// Sets a tenant's schedule.
    pub async fn create_schedule(
        &self,
        tenant: &str,
        cron: &str,
        timezone: &str,
        source: &str,
        next_run_at: &str,
        created_by: &str,
    ) -> Result<Schedule, StoreError> {
        let id = new_id("sch_");
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        sqlx::query(
            "INSERT INTO schedules (id, tenant_id, cron, timezone, source, next_run_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(tenant)
        .bind(cron)
        .bind(timezone)
        .bind(source)
        .bind(next_run_at)
        .bind(created_by)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(&format!("SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE id = $1")).bind(&id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        schedule_from_row(&row)
    }

    /// A tenant's schedules, oldest first.
    pub async fn list_schedules(&self, tenant: &str) -> Result<Vec<Schedule>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let rows = sqlx::query(&format!(
            "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at, id"
        ))
        .bind(tenant)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter().map(schedule_from_row).collect()
    }

    /// Removes a schedule; `false` if the tenant has none by that id.
    pub async fn delete_schedule(&self, tenant: &str, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let n = sqlx::query("UPDATE schedules SET deleted_at = $1 WHERE id = $2 AND tenant_id = $3 AND deleted_at IS NULL")
            .bind(now())
            .bind(id)
            .bind(tenant)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Queues a scan for every schedule due at `at` and moves each to its next run
    /// (`next(cron, timezone, after)`); a schedule is taken by one caller only, however
    /// many services run this at once. Returns the scans queued.
    pub async fn enqueue_due_schedules(
        &self,
        at: SystemTime,
        next: &(dyn Fn(&str, &str, SystemTime) -> Option<SystemTime> + Sync),
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Worker).await?;
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let rows = sqlx::query(&format!(
            "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE deleted_at IS NULL AND next_run_at <= $1 ORDER BY next_run_at LIMIT 100{lock}"
        ))
        .bind(timestamp(at))
        .fetch_all(&mut *tx)
        .await?;
        let mut queued = vec![];
        for row in &rows {
            let s = schedule_from_row(row)?;
            let new = NewScan {
                source: s.source.clone(),
                scope: s.source.clone(),
                input: None,
                requested_by: format!("schedule:{}", s.id),
                schedule_id: Some(s.id.clone()),
            };
            let scan = insert_scan(&mut tx, &s.tenant_id, &new).await?;
            // Missed runs (the service was down) are not caught up one by one: one scan now.
            let next_at = next(&s.cron, &s.timezone, at).map(timestamp).unwrap_or_else(|| "9999-12-31T00:00:00Z".into());
            sqlx::query("UPDATE schedules SET next_run_at = $1, last_run_at = $2, last_scan_id = $3 WHERE id = $4")
                .bind(next_at)
                .bind(timestamp(at))
                .bind(&scan)
                .bind(&s.id)
                .execute(&mut *tx)
                .await?;
            queued.push((s.tenant_id.clone(), scan));
        }
        tx.commit().await?;
        // Each queued scan's first event is written bound to its tenant.
        for (tenant, scan) in &queued {
            self.append_scan_event(tenant, scan, "queued", &serde_json::json!({ "source": "schedule" })).await?;
        }
        Ok(queued)
    }

    /// Sets (or replaces) a tenant's webhook.
    pub async fn set_webhook(&self, tenant: &str, url: &str, min_severity: &str, created_by: &str) -> Result<Webhook, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        sqlx::query("DELETE FROM webhooks WHERE tenant_id = $1").bind(tenant).execute(&mut *tx).await?;
        let hook = Webhook {
            id: new_id("wh_"),
            url: url.into(),
            min_severity: min_severity.into(),
            created_by: created_by.into(),
            created_at: now(),
        };
        sqlx::query("INSERT INTO webhooks (tenant_id, id, url, min_severity, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(tenant)
            .bind(&hook.id)
            .bind(&hook.url)
            .bind(&hook.min_severity)
            .bind(&hook.created_by)
            .bind(&hook.created_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(hook)
    }

    /// A tenant's webhook.
    pub async fn get_webhook(&self, tenant: &str) -> Result<Option<Webhook>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let row = sqlx::query("SELECT id, url, min_severity, created_by, created_at FROM webhooks WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        row.map(|r| {
            Ok(Webhook {
                id: col(&r, "id")?,
                url: col(&r, "url")?,
                min_severity: col(&r, "min_severity")?,
                created_by: col(&r, "created_by")?,
                created_at: col(&r, "created_at")?,
            })
        })
        .transpose()
    }

    /// Removes a tenant's webhook (pending deliveries are still attempted).
    pub async fn delete_webhook(&self, tenant: &str) -> Result<bool, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let n = sqlx::query("DELETE FROM webhooks WHERE tenant_id = $1").bind(tenant).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// A tenant's deliveries about one scan.
    pub async fn deliveries(&self, tenant: &str, scan: &str) -> Result<Vec<Delivery>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let rows = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE tenant_id = $1 AND scan_id = $2 ORDER BY created_at, id"
        ))
        .bind(tenant)
        .bind(scan)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// Takes up to `limit` deliveries that are due, holding each for `hold` (so that
    /// another deliverer skips it while this one sends).
    pub async fn claim_deliveries(&self, limit: i64, hold: Duration) -> Result<Vec<Delivery>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Worker).await?;
        let clock = db_now(&mut tx, self.backend).await?;
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let rows = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at LIMIT $2{lock}"
        ))
        .bind(timestamp(clock))
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let due: Vec<Delivery> = rows.iter().map(delivery_from_row).collect::<Result<_, _>>()?;
        for d in &due {
            sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2")
                .bind(timestamp(clock + hold))
                .bind(&d.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(due)
    }

    /// Records one delivery attempt: delivered, retried after `retry_in`, or given up
    /// (`retry_in` `None` on a failure).
    pub async fn record_delivery(
        &self,
        id: &str,
        delivered: bool,
        status: Option<u16>,
        error: Option<&str>,
        retry_in: Option<Duration>,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Worker).await?;
        let clock = db_now(&mut tx, self.backend).await?;
        let state = match (delivered, retry_in) {
            (true, _) => "delivered",
            (false, Some(_)) => "pending",
            (false, None) => "failed",
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, last_status = $2, last_error = $3, \
             next_attempt_at = $4, delivered_at = $5 WHERE id = $6",
        )
        .bind(state)
        .bind(status.map(i64::from))
        .bind(error.map(str::to_string))
        .bind(timestamp(clock + retry_in.unwrap_or_default()))
        .bind(if delivered { Some(now()) } else { None })
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Scans queued or running, across tenants (what workers have left to do).
    pub async fn pending_scans(&self) -> Result<u64, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Worker).await?;
        let row = sqlx::query("SELECT COUNT(*) FROM scans WHERE status IN ('queued', 'running')").fetch_one(&mut *tx).await?;
        tx.commit().await?;
        crate::count(&row)
    }

    /// A scan as workers see it (any tenant), for operators' tools and tests.
    pub async fn scan_for_worker(&self, scan: &str) -> Result<Option<(crate::ScanRow, Option<String>)>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Worker).await?;
        let row = sqlx::query(&format!("SELECT {SCAN_COLUMNS}, lease_owner FROM scans WHERE id = $1"))
            .bind(scan)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        row.map(|r| Ok((scan_from_row(&r)?, col(&r, "lease_owner")?))).transpose()
    }
}

pub(crate) async fn append_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: &str,
    scan: &str,
    kind: &str,
    data: &serde_json::Value,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO scan_events (tenant_id, scan_id, at, kind, data) VALUES ($1, $2, $3, $4, $5)")
        .bind(tenant)
        .bind(scan)
        .bind(now())
        .bind(kind)
        .bind(data.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
