//! Tenants' webhooks and the outbox of their deliveries: notifications are queued in the
//! transaction that stores a scan's result, then claimed by a deliverer, sent, and
//! recorded: delivered, retried later, or given up.

use crate::{Backend, Scope, Store, StoreError, col, db_now, new_id, now, timestamp};
use serde::Serialize;
use sqlx::any::AnyRow;
use std::time::Duration;

/// A notification to deliver to the tenant's webhook, if it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// `scan.finished` or `finding.new_failures`.
    pub event: String,
    /// The JSON body.
    pub payload: String,
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

/// Gives up a tenant's pending deliveries, saying why: they were meant for a webhook
/// that is gone (replaced, removed, or its tenant deleted), and must not reach a URL
/// the tenant no longer chose nor be signed with a secret it no longer holds.
pub(crate) async fn cancel_pending(tx: &mut sqlx::Transaction<'static, sqlx::Any>, tenant: &str, reason: &str) -> Result<u64, StoreError> {
    let done = sqlx::query("UPDATE webhook_deliveries SET status = 'failed', last_error = $1 WHERE tenant_id = $2 AND status = 'pending'")
        .bind(format!("cancelled: {reason}"))
        .bind(tenant)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

impl Store {
    /// Sets (or replaces) a tenant's webhook; deliveries pending for the one it replaces
    /// are cancelled.
    pub async fn set_webhook(&self, tenant: &str, url: &str, min_severity: &str, created_by: &str) -> Result<Webhook, StoreError> {
        let hook = in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let replaced = sqlx::query("DELETE FROM webhooks WHERE tenant_id = $1").bind(tenant).execute(&mut *tx).await?;
            if replaced.rows_affected() > 0 {
                cancel_pending(&mut tx, tenant, "the webhook was replaced").await?;
            }
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
            (hook, true)
        });
        Ok(hook)
    }

    /// A tenant's webhook.
    pub async fn get_webhook(&self, tenant: &str) -> Result<Option<Webhook>, StoreError> {
        let row = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query("SELECT id, url, min_severity, created_by, created_at FROM webhooks WHERE tenant_id = $1")
                .bind(tenant)
                .fetch_optional(&mut *tx)
                .await?
        });
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

    /// Removes a tenant's webhook and cancels its pending deliveries.
    pub async fn delete_webhook(&self, tenant: &str) -> Result<bool, StoreError> {
        let n = in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let n = sqlx::query("DELETE FROM webhooks WHERE tenant_id = $1").bind(tenant).execute(&mut *tx).await?.rows_affected();
            cancel_pending(&mut tx, tenant, "the webhook was removed").await?;
            (n, n == 1)
        });
        Ok(n == 1)
    }

    /// A tenant's deliveries about one scan.
    pub async fn deliveries(&self, tenant: &str, scan: &str) -> Result<Vec<Delivery>, StoreError> {
        let rows = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE tenant_id = $1 AND scan_id = $2 ORDER BY created_at, id"
            ))
            .bind(tenant)
            .bind(scan)
            .fetch_all(&mut *tx)
            .await?
        });
        rows.iter().map(delivery_from_row).collect()
    }

    /// Takes up to `limit` deliveries that are due, at most `per_tenant` of any one
    /// tenant and none of the tenants in `busy` (whose deliveries are still being sent),
    /// holding each for `hold` so that another deliverer skips it while this one sends.
    pub async fn claim_deliveries(
        &self,
        limit: i64,
        per_tenant: i64,
        busy: &[String],
        hold: Duration,
    ) -> Result<Vec<Delivery>, StoreError> {
        let due = in_scope!(self, &Scope::Worker, |tx| {
            let clock = db_now(&mut tx, self.backend).await?;
            let lock = if self.backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
            // $1 now, $2 per tenant, $3 limit, then the busy tenants.
            let busy_filter: String = (0..busy.len()).map(|i| format!(" AND tenant_id <> ${}", i + 4)).collect();
            let sql = format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id IN (\
                   SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY next_attempt_at, id) AS nth \
                   FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1{busy_filter}) due WHERE nth <= $2) \
                 ORDER BY next_attempt_at, id LIMIT $3{lock}"
            );
            let mut query = sqlx::query(&sql).bind(timestamp(clock)).bind(per_tenant).bind(limit);
            for tenant in busy {
                query = query.bind(tenant);
            }
            let rows = query.fetch_all(&mut *tx).await?;
            let due: Vec<Delivery> = rows.iter().map(delivery_from_row).collect::<Result<_, _>>()?;
            for d in &due {
                sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2")
                    .bind(timestamp(clock + hold))
                    .bind(&d.id)
                    .execute(&mut *tx)
                    .await?;
            }
            due
        });
        Ok(due)
    }

    /// Records one delivery attempt: delivered, retried after `retry_in`, or given up
    /// (`retry_in` `None` on a failure). A delivery cancelled while it was being sent
    /// stays cancelled.
    pub async fn record_delivery(
        &self,
        id: &str,
        delivered: bool,
        status: Option<u16>,
        error: Option<&str>,
        retry_in: Option<Duration>,
    ) -> Result<(), StoreError> {
        in_scope!(self, &Scope::Worker, |tx| {
            let clock = db_now(&mut tx, self.backend).await?;
            let state = match (delivered, retry_in) {
                (true, _) => "delivered",
                (false, Some(_)) => "pending",
                (false, None) => "failed",
            };
            sqlx::query(
                "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, last_status = $2, last_error = $3, \
                 next_attempt_at = $4, delivered_at = $5 WHERE id = $6 AND status = 'pending'",
            )
            .bind(state)
            .bind(status.map(i64::from))
            .bind(error.map(str::to_string))
            .bind(timestamp(clock + retry_in.unwrap_or_default()))
            .bind(if delivered { Some(now()) } else { None })
            .bind(id)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }
}
