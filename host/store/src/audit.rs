//! The audit log: every mutation and every report download, appended and never
//! changed. The database refuses UPDATE and DELETE on it (a trigger in both
//! backends), so not even a bug in this crate can rewrite history.

use crate::{Page, Paged, Scope, Store, StoreError, UsageEvent, col, count, now, page_args};
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// What a request that changes something will record: its audit entry and usage
/// events, written by the store in the very transaction of the change (see
/// [`recording`]), so that the change and its record commit, or fail, together.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    /// The audit entry, as it will read if the change is made.
    pub audit: AuditEntry,
    /// Its usage events (they must concern the entry's tenant).
    pub usage: Vec<UsageEvent>,
    /// For a change whose tenant the request could not name (one being created): makes
    /// the usage events once the store knows the tenant and its tier.
    pub usage_for_new_tenant: Option<UsageFor>,
    /// Set once written and committed; the caller then records nothing more.
    pub written: bool,
}

/// Makes a request's usage events for a tenant of a tier (prices live in the API).
#[derive(Clone)]
pub struct UsageFor(pub Arc<MakeUsage>);

/// What [`UsageFor`] holds.
pub type MakeUsage = dyn Fn(&str, crate::Tier) -> Vec<UsageEvent> + Send + Sync;

impl std::fmt::Debug for UsageFor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UsageFor(..)")
    }
}

tokio::task_local! {
    static RECORD: Arc<Mutex<RequestRecord>>;
}

/// Runs `f` (a request's handler) with `record` pending: the first change the store
/// makes in it writes the record in the same transaction.
pub async fn recording<F: std::future::Future>(record: Arc<Mutex<RequestRecord>>, f: F) -> F::Output {
    RECORD.scope(record, f).await
}

/// Writes the pending record, if there is one and it is not written yet, in `tx`.
/// `tenant` names the tenant of the change when the request did not (one just
/// created). Returns the record to mark written once `tx` has committed.
pub(crate) async fn write_record(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: crate::Backend,
    tenant: Option<&str>,
    tier: Option<crate::Tier>,
) -> Result<Option<Arc<Mutex<RequestRecord>>>, StoreError> {
    let Ok(slot) = RECORD.try_with(Arc::clone) else { return Ok(None) };
    let (mut audit, mut usage) = {
        let mut r = slot.lock().unwrap_or_else(|p| p.into_inner());
        if r.written {
            return Ok(None);
        }
        if let (true, Some(t), Some(tier), Some(make)) = (r.usage.is_empty(), tenant, tier, &r.usage_for_new_tenant) {
            // Kept in the record, so the caller knows they were written.
            r.usage = (make.0)(t, tier);
        }
        (r.audit.clone(), r.usage.clone())
    };
    if audit.tenant_id.is_none() {
        audit.tenant_id = tenant.map(str::to_string);
    }
    usage.retain(|u| Some(u.tenant_id.as_str()) == audit.tenant_id.as_deref());
    insert_audit(tx, &audit).await?;
    if let (Some(first), crate::Backend::Postgres) = (usage.first(), backend) {
        // Usage rows are visible to their tenant only: an operator's transaction (a
        // tenant created, a key revoked) is bound to it for them.
        sqlx::query("SELECT set_config('securebase.tenant_id', $1, true)").bind(&first.tenant_id).execute(&mut **tx).await?;
    }
    for e in &usage {
        crate::usage::insert_usage(tx, e).await?;
    }
    Ok(Some(slot))
}

/// After the commit: the record is in the database.
pub(crate) fn mark_written(slot: Option<Arc<Mutex<RequestRecord>>>) {
    if let Some(slot) = slot {
        slot.lock().unwrap_or_else(|p| p.into_inner()).written = true;
    }
}

/// What to append.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// The tenant concerned, if any.
    pub tenant_id: Option<String>,
    /// Who: `admin:<key id>` or `tenant:<key id>`.
    pub actor: String,
    /// What: e.g. `tenant.create`, `scan.create`, `report.download`.
    pub action: String,
    /// On what: the request path.
    pub target: String,
    /// `success` or `failure`.
    pub outcome: String,
    /// The HTTP status returned.
    pub status: u16,
    /// From where: the client address.
    pub source: String,
    /// Anything else worth keeping (never a secret).
    pub detail: String,
}

/// An appended entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    /// Position in the log.
    pub id: i64,
    /// The tenant concerned.
    pub tenant_id: Option<String>,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what.
    pub target: String,
    /// `success` or `failure`.
    pub outcome: String,
    /// HTTP status.
    pub status: i64,
    /// From where.
    pub source: String,
    /// Details.
    pub detail: String,
}

pub(crate) async fn insert_audit(tx: &mut sqlx::Transaction<'static, sqlx::Any>, e: &AuditEntry) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (tenant_id, at, actor, action, target, outcome, status, source, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(e.tenant_id.clone())
    .bind(now())
    .bind(&e.actor)
    .bind(&e.action)
    .bind(&e.target)
    .bind(&e.outcome)
    .bind(i64::from(e.status))
    .bind(&e.source)
    .bind(&e.detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Appends an entry, in the scope of its tenant (or as the operator).
    pub async fn audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        self.record_request(Some(e), &[]).await
    }

    /// A tenant's audit log, oldest first.
    pub async fn audit_log(&self, tenant: &str, page: Page) -> Result<Paged<AuditRecord>, StoreError> {
        let (total, rows) = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            let total = count(&sqlx::query("SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1").bind(tenant).fetch_one(&mut *tx).await?)?;
            let (limit, skip) = page_args(page);
            let rows = sqlx::query(
                "SELECT id, tenant_id, at, actor, action, target, outcome, status, source, detail FROM audit_log \
                 WHERE tenant_id = $1 ORDER BY id LIMIT $2 OFFSET $3",
            )
            .bind(tenant)
            .bind(limit)
            .bind(skip)
            .fetch_all(&mut *tx)
            .await?;
            (total, rows)
        });
        let items = rows
            .iter()
            .map(|r| {
                Ok(AuditRecord {
                    id: col(r, "id")?,
                    tenant_id: col(r, "tenant_id")?,
                    at: col(r, "at")?,
                    actor: col(r, "actor")?,
                    action: col(r, "action")?,
                    target: col(r, "target")?,
                    outcome: col(r, "outcome")?,
                    status: col(r, "status")?,
                    source: col(r, "source")?,
                    detail: col(r, "detail")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Paged { items, total, skip: page.skip, limit: page.limit })
    }
}
