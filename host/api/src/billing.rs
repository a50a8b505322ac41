//! Usage and invoices over the store: what `GET .../usage` and `GET .../invoices/{month}`
//! answer, and what `securebase invoice --month` issues. The arithmetic is
//! `securebase_billing`'s; this module gathers its inputs.

use crate::auth::visible_tenant;
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{Extensions, StatusCode};
use securebase_billing::{EventKind, Invoice, Micros, Month, Pricing, UsageTotal, day_of, tier_spans};
use securebase_store::{IssuedInvoice, Store, StoreError, UsageRow};
use serde::Deserialize;
use serde_json::{Value, json};

/// The month of now (UTC).
pub fn current_month() -> Month {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    Month::of_unix(now)
}

/// A usage event of one unit for a tenant, priced at its tier (shared with the workers).
pub(crate) use securebase_jobs::usage_event as event;

async fn usage_rows(store: &Store, tenant: &str, month: Month) -> Result<Vec<UsageRow>, StoreError> {
    let (from, to) = month.bounds();
    store.usage_totals(tenant, &from, &to).await
}

/// The invoice of a tenant for a month as it stands now; `None` if the tenant never existed.
pub async fn compute_invoice(store: &Store, pricing: &Pricing, tenant: &str, month: Month) -> Result<Option<Invoice>, StoreError> {
    let rows = usage_rows(store, tenant, month).await?;
    invoice_with(store, pricing, tenant, month, &rows).await
}

/// The invoice over usage rows already read for that month (callers that also show
/// the rows read them once).
async fn invoice_with(
    store: &Store,
    pricing: &Pricing,
    tenant: &str,
    month: Month,
    rows: &[UsageRow],
) -> Result<Option<Invoice>, StoreError> {
    let Some(subject) = store.billing_subject(tenant).await? else { return Ok(None) };
    let day = |s: &str| day_of(s).ok_or_else(|| StoreError::Corrupt(format!("tenant {tenant}: bad time {s:?}")));
    let changes =
        subject.tiers.iter().map(|(at, tier)| Ok((day(at)?, tier.as_str().to_string()))).collect::<Result<Vec<_>, StoreError>>()?;
    let deleted = subject.deleted_at.as_deref().map(day).transpose()?;
    let spans = tier_spans(month, day(&subject.created_at)?, deleted, &changes);
    let usage: Vec<UsageTotal> = rows
        .iter()
        .filter(|r| r.billable)
        .filter_map(|r| {
            Some(UsageTotal {
                kind: EventKind::parse(&r.kind)?,
                tier: r.tier.clone(),
                unit_price: Micros(r.unit_price_micros),
                quantity: r.quantity,
            })
        })
        .collect();
    Ok(Some(securebase_billing::invoice(pricing, month, &spans, &usage)))
}

/// Issues the invoices of a closed month for every tenant that existed in it. Invoices
/// already issued stand as they are. Returns each with whether this call issued it.
pub async fn issue_month(store: &Store, pricing: &Pricing, month: Month) -> Result<Vec<(IssuedInvoice, bool)>, StoreError> {
    if month >= current_month() {
        return Err(StoreError::Config(format!("{month} is not over yet: only closed months are invoiced")));
    }
    let mut out = vec![];
    for tenant in store.all_tenant_ids().await? {
        if let Some(existing) = store.issued_invoice(&tenant, &month.to_string()).await? {
            out.push((existing, false));
            continue;
        }
        let Some(invoice) = compute_invoice(store, pricing, &tenant, month).await? else { continue };
        if invoice.lines.is_empty() {
            continue; // the tenant did not exist that month
        }
        let document = serde_json::to_string(&invoice).expect("invoices serialize");
        let issued = store.issue_invoice(&tenant, &month.to_string(), invoice.total_cents, &document).await?;
        out.push((issued, true));
    }
    Ok(out)
}

/// Usage this month, for the tenant view.
pub(crate) async fn month_summary(state: &AppState, tenant: &str) -> Result<Value, AppError> {
    let month = current_month();
    let rows = usage_rows(&state.store, tenant, month).await?;
    let count = |kind: &str| rows.iter().filter(|r| r.kind == kind).map(|r| r.quantity).sum::<i64>();
    let estimate = invoice_with(&state.store, &state.pricing, tenant, month, &rows).await?;
    Ok(json!({
        "month": month.to_string(),
        "api_calls": count("api_call"),
        "compliance_scans": count("compliance_scan"),
        "reports_generated": count("report_generated"),
        "estimated_total": estimate.map(|i| i.total),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UsageQuery {
    month: Option<String>,
}

fn month_arg(s: &str) -> Result<Month, AppError> {
    Month::parse(s).ok_or_else(|| AppError::bad_request(format!("month: expected YYYY-MM, found {s:?}")))
}

pub(crate) async fn usage(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    q: Result<Query<UsageQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let q = crate::error::parse_query(q)?;
    let month = q.month.as_deref().map(month_arg).transpose()?.unwrap_or_else(current_month);
    let rows = usage_rows(&state.store, &id, month).await?;
    let totals: Vec<Value> = EventKind::ALL
        .iter()
        .map(|k| {
            let of_kind: Vec<&UsageRow> = rows.iter().filter(|r| r.kind == k.as_str()).collect();
            let cost_micros: i64 = of_kind.iter().filter(|r| r.billable).map(|r| r.unit_price_micros * r.quantity).sum();
            json!({
                "kind": k.as_str(),
                "events": of_kind.iter().map(|r| r.events).sum::<i64>(),
                "quantity": of_kind.iter().map(|r| r.quantity).sum::<i64>(),
                "billable_quantity": of_kind.iter().filter(|r| r.billable).map(|r| r.quantity).sum::<i64>(),
                "cost": Micros(cost_micros).to_string(),
                "by_price": of_kind,
            })
        })
        .collect();
    let estimate = invoice_with(&state.store, &state.pricing, &id, month, &rows).await?;
    Ok(Json(
        json!({ "tenant_id": id, "month": month.to_string(), "currency": state.pricing.currency, "totals": totals, "estimated_invoice": estimate }),
    ))
}

pub(crate) async fn invoice(
    State(state): State<AppState>,
    ext: Extensions,
    Path((id, month)): Path<(String, String)>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let m = month_arg(&month)?;
    let now = current_month();
    if m > now {
        return Err(AppError::new(StatusCode::NOT_FOUND, "not_found", format!("month: {month} has not started: it has no invoice yet")));
    }
    if let Some(issued) = state.store.issued_invoice(&id, &month).await? {
        let mut doc: Value = serde_json::from_str(&issued.document)
            .map_err(|e| AppError::from(StoreError::Corrupt(format!("invoice {id} {month}: {e}"))))?;
        doc["status"] = json!("issued");
        doc["issued_at"] = json!(issued.issued_at);
        doc["tenant_id"] = json!(id);
        return Ok(Json(doc));
    }
    let invoice = compute_invoice(&state.store, &state.pricing, &id, m)
        .await?
        .ok_or_else(|| AppError::new(StatusCode::NOT_FOUND, "not_found", format!("no tenant with id {id}")))?;
    let mut doc = serde_json::to_value(invoice).expect("invoices serialize");
    doc["status"] = json!(if m == now { "open" } else { "draft" });
    doc["tenant_id"] = json!(id);
    Ok(Json(doc))
}
