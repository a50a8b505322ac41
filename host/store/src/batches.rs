//! One scan of many accounts spread over many workers: account batches with leases.
//!
//! The worker holding a scan of many accounts (its coordinator) splits the accounts into
//! batches once ([`Store::plan_batches`]); any worker claims a batch as it claims a scan
//! (a renewed lease; `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two workers never take the
//! same batch and none waits for another's claim), collects and evaluates its accounts
//! and stores what it collected and evaluated under that lease ([`Store::finish_batch`]: refused once the lease was
//! lost, so a batch is never stored twice). A dead worker's batch is claimed again when
//! its lease expires; one that keeps losing its workers is failed, and its accounts are
//! reported as not collected. The scan itself is scored, drifted, metered and notified
//! once, by its coordinator, when every batch is done or failed.

use crate::jobs::{begin_claim, live_running};
use crate::{ClaimLimits, Scope, Store, StoreError, col, new_id, now, timestamp};
use std::time::Duration;

/// A claimed batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Its id.
    pub id: String,
    /// The tenant.
    pub tenant_id: String,
    /// The scan it belongs to.
    pub scan_id: String,
    /// Its number within the scan, from 0.
    pub seq: i64,
    /// The account ids it collects.
    pub accounts: Vec<String>,
    /// 1 for the first claim; more when resumed after a lost lease.
    pub attempt: i64,
}

/// A batch as the coordinator reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRow {
    /// Its number within the scan.
    pub seq: i64,
    /// The account ids it collects.
    pub accounts: Vec<String>,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// The worker that holds it, or that stored it.
    pub worker: Option<String>,
    /// Claims so far.
    pub attempts: i64,
    /// What it collected (the worker's document), once done.
    pub result: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
}

/// How far a scan's batches are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchProgress {
    /// Batches planned.
    pub total: u64,
    /// Stored.
    pub done: u64,
    /// Given up (their accounts are not collected).
    pub failed: u64,
}

impl BatchProgress {
    /// Every batch is stored or given up: the scan can be evaluated.
    pub fn settled(&self) -> bool {
        self.done + self.failed == self.total
    }
}

fn accounts_of(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("a batch's account list: {e}")))
}

impl Store {
    /// Splits a scan into `batches` (account ids each) unless it was split already (a
    /// resumed scan keeps the batches, and what they stored, of the attempt before it);
    /// only the worker holding the scan's lease may. Returns how many batches the scan has,
    /// or `None` when `worker` no longer holds the scan.
    pub async fn plan_batches(&self, job: &crate::Job, worker: &str, batches: &[Vec<String>]) -> Result<Option<u64>, StoreError> {
        Ok(in_scope!(self, &Scope::Tenant(job.tenant_id.clone()), |tx| {
            // A write first, which takes the scan's row (and, on SQLite, the database) for
            // this transaction: a worker whose lease was lost and the one that resumed the
            // scan cannot both plan, and SQLite never has to upgrade a read to a write.
            let held = sqlx::query(
                "UPDATE scans SET lease_owner = lease_owner WHERE id = $1 AND tenant_id = $2 AND status = 'running' AND lease_owner = $3",
            )
            .bind(&job.scan_id)
            .bind(&job.tenant_id)
            .bind(worker)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !held {
                None
            } else {
                let existing: i64 = col(
                    &sqlx::query("SELECT COUNT(*) AS n FROM scan_batches WHERE scan_id = $1 AND tenant_id = $2")
                        .bind(&job.scan_id)
                        .bind(&job.tenant_id)
                        .fetch_one(&mut *tx)
                        .await?,
                    "n",
                )?;
                if existing > 0 {
                    Some(existing as u64)
                } else {
                    let at = now();
                    for (seq, accounts) in batches.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO scan_batches (id, tenant_id, scan_id, seq, accounts, status, created_at) \
                             VALUES ($1, $2, $3, $4, $5, 'queued', $6)",
                        )
                        .bind(new_id("b_"))
                        .bind(&job.tenant_id)
                        .bind(&job.scan_id)
                        .bind(seq as i64)
                        .bind(serde_json::to_string(accounts).expect("strings serialize"))
                        .bind(&at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Some(batches.len() as u64)
                }
            }
        }))
    }

    /// Claims the oldest batch that is queued, or running with an expired lease, of a
    /// scan still running (of `scan` only, when given: a coordinator works on its own
    /// scan). A batch claimed `limits.max_attempts` times whose lease expired again is
    /// failed instead. A helper (`scan` is `None`) takes no batch of a tenant that already
    /// has `limits.batches_per_tenant` running while another tenant's queued scan could
    /// start (within `per_tenant` and `global`): the worker is then free to start it.
    /// `None` when there is nothing to claim.
    pub async fn claim_batch(
        &self,
        worker: &str,
        lease: Duration,
        scan: Option<&str>,
        limits: &ClaimLimits,
    ) -> Result<Option<Batch>, StoreError> {
        // Workers ask on every poll: a read first, so that with no split scan about (the
        // usual case) a poll takes no write lock (on SQLite, the whole database's).
        let pending = in_scope!(self, &Scope::Worker, |tx| {
            sqlx::query("SELECT 1 AS pending FROM scan_batches WHERE status IN ('queued', 'running') LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?
        });
        if pending.is_none() {
            return Ok(None);
        }
        let row = in_scope!(self, &Scope::Worker, |tx| {
            let error = format!("abandoned: {} workers took this batch and stopped answering before they stored it", limits.max_attempts);
            let (clock, _) = begin_claim(&mut tx, self.backend, "scan_batches", "", &error, limits.max_attempts).await?;
            let at = timestamp(clock);
            // The fair share: a coordinator always works on its own scan; a helper skips a
            // tenant at its share while a scan of another tenant could be claimed.
            let sql = format!(
                "UPDATE scan_batches SET status = 'running', lease_owner = $1, lease_expires_at = $2, attempts = attempts + 1 \
                 WHERE id = (SELECT b.id FROM scan_batches b JOIN scans s ON s.id = b.scan_id \
                     WHERE s.status = 'running' AND ($4 = '' OR b.scan_id = $4) \
                     AND (b.status = 'queued' OR (b.status = 'running' AND b.lease_expires_at < $3)) \
                     AND ($4 <> '' OR {} < $5 OR {} >= $7 \
                          OR NOT EXISTS (SELECT 1 FROM scans q WHERE q.status = 'queued' AND q.tenant_id <> b.tenant_id \
                              AND {} < $6)) \
                     ORDER BY b.created_at, b.scan_id, b.seq LIMIT 1{}) \
                 RETURNING id, tenant_id, scan_id, seq, accounts, attempts",
                live_running("scan_batches", Some("b.tenant_id"), "$3"),
                live_running("scans", None, "$3"),
                live_running("scans", Some("q.tenant_id"), "$3"),
                if self.backend == crate::Backend::Postgres { " FOR UPDATE OF b SKIP LOCKED" } else { "" }
            );
            sqlx::query(&sql)
                .bind(worker)
                .bind(timestamp(clock + lease))
                .bind(&at)
                .bind(scan.unwrap_or(""))
                .bind(i64::from(limits.batches_per_tenant))
                .bind(i64::from(limits.per_tenant))
                .bind(i64::from(limits.global))
                .fetch_optional(&mut *tx)
                .await?
        });
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Batch {
            id: col(&row, "id")?,
            tenant_id: col(&row, "tenant_id")?,
            scan_id: col(&row, "scan_id")?,
            seq: col(&row, "seq")?,
            accounts: accounts_of(&col::<String>(&row, "accounts")?)?,
            attempt: col(&row, "attempts")?,
        }))
    }

    /// Extends a batch's lease; `false` when the worker no longer holds it.
    pub async fn renew_batch_lease(&self, batch: &Batch, worker: &str, lease: Duration) -> Result<bool, StoreError> {
        self.renew_row_lease("scan_batches", &batch.id, &batch.tenant_id, worker, lease).await
    }

    /// Stores what a batch collected if `worker` still holds its lease and the scan is
    /// still running (`Ok(false)` and nothing written otherwise: a scan that ended keeps
    /// no batch's inventory).
    pub async fn finish_batch(&self, batch: &Batch, worker: &str, result: &str) -> Result<bool, StoreError> {
        let n = in_scope!(self, &Scope::Tenant(batch.tenant_id.clone()), |tx| {
            sqlx::query(
                "UPDATE scan_batches SET status = 'done', result = $1, finished_at = $2, lease_expires_at = NULL \
                 WHERE id = $3 AND tenant_id = $4 AND status = 'running' AND lease_owner = $5 \
                 AND EXISTS (SELECT 1 FROM scans s WHERE s.id = scan_batches.scan_id AND s.status = 'running')",
            )
            .bind(result)
            .bind(now())
            .bind(&batch.id)
            .bind(&batch.tenant_id)
            .bind(worker)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// How far a scan's batches are.
    pub async fn batch_progress(&self, tenant: &str, scan: &str) -> Result<BatchProgress, StoreError> {
        let rows = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query("SELECT status, COUNT(*) AS n FROM scan_batches WHERE scan_id = $1 AND tenant_id = $2 GROUP BY status")
                .bind(scan)
                .bind(tenant)
                .fetch_all(&mut *tx)
                .await?
        });
        let mut p = BatchProgress::default();
        for row in &rows {
            let (status, n): (String, i64) = (col(row, "status")?, col(row, "n")?);
            let n = n.max(0) as u64;
            p.total += n;
            match status.as_str() {
                "done" => p.done += n,
                "failed" => p.failed += n,
                _ => {}
            }
        }
        Ok(p)
    }

    /// A scan's batches in order, with what they stored (`with_results`) or without.
    pub async fn scan_batches(&self, tenant: &str, scan: &str, with_results: bool) -> Result<Vec<BatchRow>, StoreError> {
        let rows = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(&format!(
                "SELECT seq, accounts, status, lease_owner, attempts, {} AS result, error FROM scan_batches \
                 WHERE scan_id = $1 AND tenant_id = $2 ORDER BY seq",
                if with_results { "result" } else { "CAST(NULL AS TEXT)" }
            ))
            .bind(scan)
            .bind(tenant)
            .fetch_all(&mut *tx)
            .await?
        });
        rows.iter()
            .map(|r| {
                Ok(BatchRow {
                    seq: col(r, "seq")?,
                    accounts: accounts_of(&col::<String>(r, "accounts")?)?,
                    status: col(r, "status")?,
                    worker: col(r, "lease_owner")?,
                    attempts: col(r, "attempts")?,
                    result: col(r, "result")?,
                    error: col(r, "error")?,
                })
            })
            .collect()
    }
}
