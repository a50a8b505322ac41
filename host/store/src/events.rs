//! Scans' progress events: each scan's stream, from `queued` to `finished` or `failed`,
//! which clients follow as it grows (event ids increase across all scans, so a client
//! resumes after the last id it saw).

use crate::{Scope, Store, StoreError, col, now};
use serde::Serialize;

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

/// Appends an event to a scan's stream, in a transaction already bound to `tenant`.
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

impl Store {
    /// Appends a progress event to a scan's stream.
    pub async fn append_scan_event(&self, tenant: &str, scan: &str, kind: &str, data: &serde_json::Value) -> Result<(), StoreError> {
        in_scope!(self, &Scope::Tenant(tenant.into()), |tx| append_event(&mut tx, tenant, scan, kind, data).await?);
        Ok(())
    }

    /// A scan's progress events after event `after` (0: from the start), oldest first.
    pub async fn scan_events(&self, tenant: &str, scan: &str, after: i64, limit: i64) -> Result<Vec<ScanEvent>, StoreError> {
        let rows = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query("SELECT id, at, kind, data FROM scan_events WHERE tenant_id = $1 AND scan_id = $2 AND id > $3 ORDER BY id LIMIT $4")
                .bind(tenant)
                .bind(scan)
                .bind(after)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?
        });
        rows.iter().map(event_of).collect()
    }

    /// A scan's newest progress event (`None` before its first): what a page shows of a
    /// scan still running, without following its stream.
    pub async fn latest_scan_event(&self, tenant: &str, scan: &str) -> Result<Option<ScanEvent>, StoreError> {
        let row = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query("SELECT id, at, kind, data FROM scan_events WHERE tenant_id = $1 AND scan_id = $2 ORDER BY id DESC LIMIT 1")
                .bind(tenant)
                .bind(scan)
                .fetch_optional(&mut *tx)
                .await?
        });
        row.as_ref().map(event_of).transpose()
    }
}

/// A `scan_events` row as its event.
fn event_of(r: &sqlx::any::AnyRow) -> Result<ScanEvent, StoreError> {
    let data: String = col(r, "data")?;
    Ok(ScanEvent {
        id: col(r, "id")?,
        at: col(r, "at")?,
        kind: col(r, "kind")?,
        data: serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("scan event data: {e}")))?,
    })
}
