//! Usage metering and invoices. A usage event is written in the same transaction as
//! what it meters (a request's audit entry, a scan's results) and carries a key unique
//! to that thing, so it is never lost without the work and never counted twice.
//! Issued invoices are immutable (a trigger refuses UPDATE and DELETE).

use crate::Tier;
use crate::{AuditEntry, Scope, Store, StoreError, col, now, parse_col};
use serde::Serialize;

/// One metered event, priced when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageEvent {
    /// Unique per metered thing: `req:<id>`, `scan:<id>`, `report:<id>`.
    pub dedup_key: String,
    /// The tenant.
    pub tenant_id: String,
    /// `api_call`, `compliance_scan` or `report_generated`.
    pub kind: String,
    /// How many (1 for a call or a scan).
    pub quantity: i64,
    /// The tenant's tier at the time.
    pub tier: String,
    /// The tier's unit price at the time, in millionths of a dollar.
    pub unit_price_micros: i64,
    /// Whether it is invoiced.
    pub billable: bool,
    /// Context, such as a scan's framework and sizes (JSON).
    pub detail: String,
}

/// Usage of one kind, tier and price in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageRow {
    /// Event kind.
    pub kind: String,
    /// Tier at the time.
    pub tier: String,
    /// Unit price at the time (micro-dollars).
    pub unit_price_micros: i64,
    /// Invoiced or not.
    pub billable: bool,
    /// Number of events.
    pub events: i64,
    /// Sum of their quantities.
    pub quantity: i64,
}

/// What billing needs to know of a tenant for a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingSubject {
    /// Its id.
    pub id: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was deleted, if it was.
    pub deleted_at: Option<String>,
    /// (effective at, tier), oldest first, the creation's included.
    pub tiers: Vec<(String, Tier)>,
}

/// An issued invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedInvoice {
    /// The tenant.
    pub tenant_id: String,
    /// `YYYY-MM`.
    pub month: String,
    /// When it was issued.
    pub issued_at: String,
    /// Its total.
    pub total_cents: i64,
    /// The invoice document (JSON), as issued.
    pub document: String,
}

pub(crate) async fn insert_usage(tx: &mut sqlx::Transaction<'static, sqlx::Any>, e: &UsageEvent) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO usage_events (dedup_key, tenant_id, at, kind, quantity, tier, unit_price_micros, billable, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(&e.dedup_key)
    .bind(&e.tenant_id)
    .bind(now())
    .bind(&e.kind)
    .bind(e.quantity)
    .bind(&e.tier)
    .bind(e.unit_price_micros)
    .bind(i64::from(e.billable))
    .bind(&e.detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The tenant one request's records concern (none: the operator's), or an error if they
/// name several.
fn record_tenant(audit: Option<&AuditEntry>, usage: &[UsageEvent]) -> Result<Option<String>, StoreError> {
    let tenant = usage.first().map(|u| u.tenant_id.clone()).or_else(|| audit.and_then(|a| a.tenant_id.clone()));
    if usage.iter().any(|u| Some(&u.tenant_id) != tenant.as_ref()) || audit.is_some_and(|a| a.tenant_id.is_some() && a.tenant_id != tenant)
    {
        return Err(StoreError::Config("one request's records must concern one tenant".into()));
    }
    Ok(tenant)
}

/// What one request did, to record: its audit entry (if audited) and usage events.
#[derive(Debug, Clone)]
pub struct RequestRecords {
    /// The audit entry.
    pub audit: Option<AuditEntry>,
    /// The usage events (of the entry's tenant).
    pub usage: Vec<UsageEvent>,
}

impl Store {
    /// Records what several requests did in one transaction (one commit, one flush of
    /// the log for all: a group commit), and returns each request's outcome. If the
    /// batch fails before its commit, nothing of it was written and each request is
    /// recorded on its own, so one bad record fails only its own request; if the
    /// commit itself fails its outcome is unknown, and every request is told so rather
    /// than recorded twice.
    pub async fn record_requests(&self, batch: &[RequestRecords]) -> Vec<Result<(), StoreError>> {
        let tenants: Vec<_> = batch.iter().map(|r| record_tenant(r.audit.as_ref(), &r.usage)).collect();
        if batch.len() == 1 || tenants.iter().any(Result::is_err) {
            let mut out = Vec::with_capacity(batch.len());
            for r in batch {
                out.push(self.record_request(r.audit.as_ref(), &r.usage).await);
            }
            return out;
        }
        let mut tx = match self.tenant_transaction(&Scope::Admin).await {
            Ok(tx) => tx,
            Err(e) => return batch.iter().map(|_| Err(StoreError::Batch(e.to_string()))).collect(),
        };
        let written: Result<(), StoreError> = async {
            // Grouped by tenant (arrival order within each), so that the binding the
            // usage rows' policy checks changes once per tenant.
            let mut order: Vec<usize> = (0..batch.len()).collect();
            order.sort_by_key(|&i| tenants[i].as_ref().ok().cloned().flatten());
            let mut bound: Option<&str> = None;
            for i in order {
                let tenant = tenants[i].as_ref().ok().and_then(Option::as_deref);
                if self.backend == crate::Backend::Postgres
                    && let Some(t) = tenant.filter(|t| Some(*t) != bound)
                {
                    sqlx::query("SELECT set_config('securebase.tenant_id', $1, true)").bind(t).execute(&mut *tx).await?;
                    bound = Some(t);
                }
                if let Some(a) = &batch[i].audit {
                    crate::audit::insert_audit(&mut tx, a).await?;
                }
                for e in &batch[i].usage {
                    insert_usage(&mut tx, e).await?;
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = written {
            // Rolled back: nothing of the batch is in the database; one by one instead.
            drop(tx);
            tracing::warn!(error = %e, records = batch.len(), "a batch of request records failed; recording them one by one");
            let mut out = Vec::with_capacity(batch.len());
            for r in batch {
                out.push(self.record_request(r.audit.as_ref(), &r.usage).await);
            }
            return out;
        }
        match tx.commit().await {
            Ok(()) => batch.iter().map(|_| Ok(())).collect(),
            Err(e) => {
                batch.iter().map(|_| Err(StoreError::Batch(format!("the commit of a batch of request records failed: {e}")))).collect()
            }
        }
    }

    /// Records what one request did: its audit entry (if audited) and its usage events,
    /// in one transaction. Every event must concern the audit entry's tenant.
    pub async fn record_request(&self, audit: Option<&AuditEntry>, usage: &[UsageEvent]) -> Result<(), StoreError> {
        let tenant = record_tenant(audit, usage)?;
        let scope = match &tenant {
            Some(t) => Scope::Tenant(t.clone()),
            None => Scope::Admin,
        };
        in_scope!(self, &scope, |tx| {
            if let Some(a) = audit {
                crate::audit::insert_audit(&mut tx, a).await?;
            }
            for e in usage {
                insert_usage(&mut tx, e).await?;
            }
        });
        Ok(())
    }

    /// A tenant's usage between two RFC 3339 instants (`from` included, `to` not),
    /// grouped by kind, tier, price and billability.
    pub async fn usage_totals(&self, tenant: &str, from: &str, to: &str) -> Result<Vec<UsageRow>, StoreError> {
        let rows = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(
                "SELECT kind, tier, unit_price_micros, billable, COUNT(*) AS events, CAST(SUM(quantity) AS BIGINT) AS quantity \
                 FROM usage_events WHERE tenant_id = $1 AND at >= $2 AND at < $3 \
                 GROUP BY kind, tier, unit_price_micros, billable ORDER BY kind, tier, unit_price_micros, billable",
            )
            .bind(tenant)
            .bind(from)
            .bind(to)
            .fetch_all(&mut *tx)
            .await?
        });
        rows.iter()
            .map(|r| {
                Ok(UsageRow {
                    kind: col(r, "kind")?,
                    tier: col(r, "tier")?,
                    unit_price_micros: col(r, "unit_price_micros")?,
                    billable: col::<i64>(r, "billable")? == 1,
                    events: col(r, "events")?,
                    quantity: col(r, "quantity")?,
                })
            })
            .collect()
    }

    /// A tenant as billing sees it, deleted or not.
    pub async fn billing_subject(&self, tenant: &str) -> Result<Option<BillingSubject>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let row = sqlx::query("SELECT created_at, deleted_at FROM tenants WHERE id = $1").bind(tenant).fetch_optional(&mut *tx).await?;
        let Some(row) = row else { return Ok(None) };
        let history = sqlx::query("SELECT effective_at, tier FROM tier_history WHERE tenant_id = $1 ORDER BY effective_at")
            .bind(tenant)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(BillingSubject {
            id: tenant.into(),
            created_at: col(&row, "created_at")?,
            deleted_at: col(&row, "deleted_at")?,
            tiers: history.iter().map(|r| Ok((col(r, "effective_at")?, parse_col(r, "tier")?))).collect::<Result<_, StoreError>>()?,
        }))
    }

    /// Every tenant ever created, deleted ones included (for issuing invoices).
    pub async fn all_tenant_ids(&self) -> Result<Vec<String>, StoreError> {
        let ids = in_scope!(self, &Scope::Admin, |tx| {
            sqlx::query_scalar("SELECT id FROM tenants ORDER BY created_at, id").fetch_all(&mut *tx).await?
        });
        Ok(ids)
    }

    /// The issued invoice of a tenant for a month.
    pub async fn issued_invoice(&self, tenant: &str, month: &str) -> Result<Option<IssuedInvoice>, StoreError> {
        let row = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query("SELECT issued_at, total_cents, document FROM invoices WHERE tenant_id = $1 AND month = $2")
                .bind(tenant)
                .bind(month)
                .fetch_optional(&mut *tx)
                .await?
        });
        row.map(|r| {
            Ok(IssuedInvoice {
                tenant_id: tenant.into(),
                month: month.into(),
                issued_at: col(&r, "issued_at")?,
                total_cents: col(&r, "total_cents")?,
                document: col(&r, "document")?,
            })
        })
        .transpose()
    }

    /// Issues an invoice unless one was issued already; returns the one that stands.
    pub async fn issue_invoice(&self, tenant: &str, month: &str, total_cents: i64, document: &str) -> Result<IssuedInvoice, StoreError> {
        in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(
                "INSERT INTO invoices (tenant_id, month, issued_at, total_cents, document) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (tenant_id, month) DO NOTHING",
            )
            .bind(tenant)
            .bind(month)
            .bind(now())
            .bind(total_cents)
            .bind(document)
            .execute(&mut *tx)
            .await?;
        });
        Ok(self.issued_invoice(tenant, month).await?.expect("an invoice just issued is readable"))
    }
}
