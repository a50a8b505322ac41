//! Tenants' recurring scans: their schedules, and the queueing of the scans that are due
//! (each due schedule taken by one caller only, however many services run at once).

use crate::jobs::{NewScan, insert_scan};
use crate::{Backend, Scope, Store, StoreError, col, new_id, now, timestamp};
use serde::Serialize;
use sqlx::any::AnyRow;
use std::time::SystemTime;

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

impl Store {
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
        let row = in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
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
            (sqlx::query(&format!("SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE id = $1")).bind(&id).fetch_one(&mut *tx).await?, true)
        });
        schedule_from_row(&row)
    }

    /// A tenant's schedules, oldest first.
    pub async fn list_schedules(&self, tenant: &str) -> Result<Vec<Schedule>, StoreError> {
        let rows = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(&format!(
                "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at, id"
            ))
            .bind(tenant)
            .fetch_all(&mut *tx)
            .await?
        });
        rows.iter().map(schedule_from_row).collect()
    }

    /// Removes a schedule; `false` if the tenant has none by that id.
    pub async fn delete_schedule(&self, tenant: &str, id: &str) -> Result<bool, StoreError> {
        let n = in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let n = sqlx::query("UPDATE schedules SET deleted_at = $1 WHERE id = $2 AND tenant_id = $3 AND deleted_at IS NULL")
                .bind(now())
                .bind(id)
                .bind(tenant)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            (n, n == 1)
        });
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
        let queued = in_scope!(self, &Scope::Worker, |tx| {
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
            queued
        });
        // Each queued scan's first event is written bound to its tenant.
        for (tenant, scan) in &queued {
            self.append_scan_event(tenant, scan, "queued", &serde_json::json!({ "source": "schedule" })).await?;
        }
        Ok(queued)
    }
}
