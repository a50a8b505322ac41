//! The audit log: every mutation and every report download, appended and never
//! changed. The database refuses UPDATE and DELETE on it (a trigger in both
//! backends), so not even a bug in this crate can rewrite history.

use crate::{Page, Paged, Scope, Store, StoreError, col, count, now, page_args};
use serde::Serialize;

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
