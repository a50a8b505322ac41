//! Scans as jobs shared by many workers: queueing, claims and leases, finishing and failing.
//!
//! A queued scan is claimed by one worker at a time: the claim sets a lease that the
//! worker renews while it works. A worker that dies stops renewing; once the lease has
//! expired, any worker may claim the scan again and runs it from its input (findings
//! are written only when a scan ends, in one transaction conditioned on still holding
//! the lease, so a resumed scan never has two sets of findings nor two usage events).
//! On PostgreSQL claims take `FOR UPDATE SKIP LOCKED` under a transaction-level
//! advisory lock, so that the per-tenant and global concurrency limits hold exactly
//! however many workers ask at once; SQLite serializes writers by itself.

use crate::events::append_event;
use crate::locks::CLAIM_JOBS;
use crate::scans::{SCAN_COLUMNS, scan_from_row};
use crate::{Backend, Notification, Scope, Store, StoreError, col, db_now, new_id, now, timestamp};
use std::time::Duration;

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
    /// Batches of one tenant's split scans that workers other than their coordinators
    /// run at once while another tenant has a scan waiting that could start: a scan of
    /// 10,000 accounts then slows down to share the workers instead of holding them all
    /// until it ends. With nobody waiting, every idle worker helps.
    pub batches_per_tenant: u32,
}

impl Default for ClaimLimits {
    fn default() -> Self {
        Self { per_tenant: 2, global: 16, max_attempts: 3, batches_per_tenant: 4 }
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

/// What a job stores with its scan document, in the same transaction.
#[derive(Debug, Clone, Copy, Default)]
pub struct JobOutcome<'a> {
    /// The drift document and its summary.
    pub drift: Option<(&'a str, &'a str)>,
    /// Notifications, queued in the same transaction.
    pub notifications: &'a [Notification],
    /// What the scan could not read, stored with the result (never a moment after it).
    pub note: Option<&'a str>,
    /// The inventory the scan evaluated, as kept for replay (`securebase_scan::KeptInventory::json`).
    pub inventory: Option<&'a str>,
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

/// Drops what the batches of a failed scan (`scan`, or every failed scan) collected: an
/// inventory is kept only with a stored result.
async fn forget_batches(tx: &mut sqlx::Transaction<'static, sqlx::Any>, scan: Option<&str>) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE scan_batches SET result = NULL WHERE result IS NOT NULL \
         AND scan_id IN (SELECT id FROM scans WHERE status = 'failed' AND ($1 = '' OR id = $1))",
    )
    .bind(scan.unwrap_or(""))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a claim of a scan or a batch starts with, in its transaction: the claim lock (on
/// PostgreSQL claims go one at a time, since the limits count running rows), the
/// database's clock, and the rows of `table` whose workers kept dying failed rather than
/// handed to the next one, with `error` (`clear` names columns emptied with them).
/// Returns the clock and how many rows were failed.
pub(crate) async fn begin_claim(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    table: &'static str,
    clear: &str,
    error: &str,
    max_attempts: u32,
) -> Result<(std::time::SystemTime, u64), StoreError> {
    if backend == Backend::Postgres {
        sqlx::query(&format!("SELECT pg_advisory_xact_lock({CLAIM_JOBS})")).execute(&mut **tx).await?;
    }
    let clock = db_now(tx, backend).await?;
    let abandoned = sqlx::query(&format!(
        "UPDATE {table} SET status = 'failed', finished_at = $1, error = $2, lease_expires_at = NULL{clear} \
         WHERE status = 'running' AND lease_expires_at < $1 AND attempts >= $3"
    ))
    .bind(timestamp(clock))
    .bind(error)
    .bind(i64::from(max_attempts))
    .execute(&mut **tx)
    .await?;
    Ok((clock, abandoned.rows_affected()))
}

/// SQL counting the rows of `table` running under a live lease at the parameter `at`,
/// of the tenant `tenant` (an SQL expression) or of every tenant: the claim limits and
/// the fair share are all made of these.
pub(crate) fn live_running(table: &str, tenant: Option<&str>, at: &str) -> String {
    let of_tenant = tenant.map(|t| format!("r.tenant_id = {t} AND ")).unwrap_or_default();
    format!("(SELECT COUNT(*) FROM {table} r WHERE {of_tenant}r.status = 'running' AND r.lease_expires_at >= {at})")
}

/// Inserts a queued scan, in a transaction already bound to `tenant`; returns its id.
pub(crate) async fn insert_scan(tx: &mut sqlx::Transaction<'static, sqlx::Any>, tenant: &str, new: &NewScan) -> Result<String, StoreError> {
    Ok(insert_scan_within(tx, tenant, new, i64::MAX).await?.expect("no cap"))
}

/// Inserts a queued scan unless the tenant has `max_queued` waiting already (`None`).
/// One statement counts and inserts: on SQLite a read then a write in one transaction
/// fails as soon as two requests do it at once.
async fn insert_scan_within(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: &str,
    new: &NewScan,
    max_queued: i64,
) -> Result<Option<String>, StoreError> {
    let id = new_id("s_");
    let done = sqlx::query(
        "INSERT INTO scans (id, tenant_id, status, source, requested_by, created_at, scope, input, schedule_id) \
         SELECT $1, $2, 'queued', $3, $4, $5, $6, $7, $8 \
         WHERE (SELECT COUNT(*) FROM scans WHERE tenant_id = $2 AND status = 'queued') < $9",
    )
    .bind(&id)
    .bind(tenant)
    .bind(&new.source)
    .bind(&new.requested_by)
    .bind(now())
    .bind(&new.scope)
    .bind(new.input.clone())
    .bind(new.schedule_id.clone())
    .bind(max_queued)
    .execute(&mut **tx)
    .await?;
    Ok((done.rows_affected() == 1).then_some(id))
}

impl Store {
    /// Queues a scan unless the tenant already has `max_queued` waiting; `None` then.
    /// One tenant cannot fill the queue (and the database) for everyone else.
    pub async fn enqueue_scan_within(&self, tenant: &str, new: &NewScan, max_queued: u32) -> Result<Option<crate::ScanRow>, StoreError> {
        let id = in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            if self.backend == Backend::Postgres {
                sqlx::query(&format!("SELECT pg_advisory_xact_lock({}, hashtext($1))", crate::locks::QUEUE_SCANS))
                    .bind(tenant)
                    .execute(&mut *tx)
                    .await?;
            }
            let id = insert_scan_within(&mut tx, tenant, new, i64::from(max_queued)).await?;
            if let Some(id) = &id {
                append_event(&mut tx, tenant, id, "queued", &serde_json::json!({ "source": new.source })).await?;
            }
            let queued = id.is_some();
            (id, queued)
        });
        match id {
            Some(id) => Ok(Some(self.get_scan(tenant, &id).await?.expect("a scan just queued is readable"))),
            None => Ok(None),
        }
    }

    /// Queues a scan for the workers; its `queued` event is the first of its progress stream.
    pub async fn enqueue_scan(&self, tenant: &str, new: &NewScan) -> Result<crate::ScanRow, StoreError> {
        let id = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            let id = insert_scan(&mut tx, tenant, new).await?;
            append_event(&mut tx, tenant, &id, "queued", &serde_json::json!({ "source": new.source })).await?;
            id
        });
        Ok(self.get_scan(tenant, &id).await?.expect("a scan just queued is readable"))
    }

    /// Claims the oldest scan that is queued, or running with an expired lease, within
    /// `limits`; `None` when there is nothing to do (or the limits are reached).
    pub async fn claim_job(&self, worker: &str, lease: Duration, limits: &ClaimLimits) -> Result<Option<Job>, StoreError> {
        let row = in_scope!(self, &Scope::Worker, |tx| {
            let error = format!("abandoned: {} workers took this scan and stopped answering before it ended", limits.max_attempts);
            let (clock, abandoned) = begin_claim(&mut tx, self.backend, "scans", ", input = NULL", &error, limits.max_attempts).await?;
            let at = timestamp(clock);
            if abandoned > 0 {
                forget_batches(&mut tx, None).await?;
            }
            let sql = format!(
                "UPDATE scans SET status = 'running', lease_owner = $1, lease_expires_at = $2, attempts = attempts + 1, \
                 started_at = COALESCE(started_at, $3) \
                 WHERE id = (SELECT s.id FROM scans s \
                     WHERE (s.status = 'queued' OR (s.status = 'running' AND s.lease_expires_at < $3)) \
                     AND {} < $4 AND {} < $5 \
                     ORDER BY s.created_at, s.id LIMIT 1{}) \
                 RETURNING id, tenant_id, source, scope, input, attempts",
                live_running("scans", Some("s.tenant_id"), "$3"),
                live_running("scans", None, "$3"),
                if self.backend == Backend::Postgres { " FOR UPDATE OF s SKIP LOCKED" } else { "" }
            );
            sqlx::query(&sql)
                .bind(worker)
                .bind(timestamp(clock + lease))
                .bind(&at)
                .bind(i64::from(limits.per_tenant))
                .bind(i64::from(limits.global))
                .fetch_optional(&mut *tx)
                .await?
        });
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
        self.renew_row_lease("scans", &job.scan_id, &job.tenant_id, worker, lease).await
    }

    /// Extends the lease `worker` holds on a running row of `table` (a scan or a batch:
    /// both carry `lease_owner` and `lease_expires_at`); `false` when it no longer holds it.
    pub(crate) async fn renew_row_lease(
        &self,
        table: &'static str,
        id: &str,
        tenant: &str,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let n = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            let clock = db_now(&mut tx, self.backend).await?;
            sqlx::query(&format!(
                "UPDATE {table} SET lease_expires_at = $1 WHERE id = $2 AND tenant_id = $3 AND status = 'running' AND lease_owner = $4"
            ))
            .bind(timestamp(clock + lease))
            .bind(id)
            .bind(tenant)
            .bind(worker)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Stores a job's result if `worker` still holds its lease (`Ok(false)` and nothing
    /// written otherwise): findings, usage and what `outcome` adds (drift, notifications,
    /// the note of what could not be collected, the inventory), in one transaction.
    pub async fn finish_job(
        &self,
        job: &Job,
        worker: &str,
        report: &securebase_scan::ScanReport,
        usage: Option<&crate::UsageEvent>,
        outcome: &JobOutcome<'_>,
    ) -> Result<bool, StoreError> {
        self.finish(&job.tenant_id, &job.scan_id, report, usage, Some(worker), outcome).await
    }

    /// Fails a job if `worker` still holds its lease (with its stream's `failed` event).
    pub async fn fail_job(&self, job: &Job, worker: &str, error: &str) -> Result<bool, StoreError> {
        let n = in_scope!(self, &Scope::Tenant(job.tenant_id.clone()), |tx| {
            let n = sqlx::query(
                "UPDATE scans SET status = 'failed', finished_at = $1, error = $2, lease_expires_at = NULL, input = NULL \
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
                forget_batches(&mut tx, Some(&job.scan_id)).await?;
            }
            n
        });
        Ok(n == 1)
    }

    /// Scans queued or running, across tenants (what workers have left to do).
    pub async fn pending_scans(&self) -> Result<u64, StoreError> {
        let (queued, running) = self.queue_depth().await?;
        Ok(queued + running)
    }

    /// Scans waiting for a worker and scans running, across tenants (the queue a metrics
    /// scrape reports).
    pub async fn queue_depth(&self) -> Result<(u64, u64), StoreError> {
        let rows = in_scope!(self, &Scope::Worker, |tx| {
            sqlx::query("SELECT status, COUNT(*) AS n FROM scans WHERE status IN ('queued', 'running') GROUP BY status")
                .fetch_all(&mut *tx)
                .await?
        });
        let (mut queued, mut running) = (0, 0);
        for row in &rows {
            let (status, n): (String, i64) = (crate::col(row, "status")?, crate::col(row, "n")?);
            match status.as_str() {
                "queued" => queued = n.max(0) as u64,
                _ => running = n.max(0) as u64,
            }
        }
        Ok((queued, running))
    }

    /// A scan as workers see it (any tenant), for operators' tools and tests.
    pub async fn scan_for_worker(&self, scan: &str) -> Result<Option<(crate::ScanRow, Option<String>)>, StoreError> {
        let row = in_scope!(self, &Scope::Worker, |tx| {
            sqlx::query(&format!("SELECT {SCAN_COLUMNS}, lease_owner FROM scans WHERE id = $1")).bind(scan).fetch_optional(&mut *tx).await?
        });
        row.map(|r| Ok((scan_from_row(&r)?, col(&r, "lease_owner")?))).transpose()
    }
}
