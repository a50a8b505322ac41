//! Tenants' exceptions (accepted risks) with their history: every create, change and
//! delete is kept with who made it, when, and what changed (field: before, after), and
//! stays readable after a delete. Checking an exception is the API's
//! (`securebase_exceptions::Exception::problems`); this module keeps what passed.

use crate::{Scope, Store, StoreError, col, new_id, now};
use securebase_exceptions::Exception;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::any::AnyRow;

/// An exception as stored, with its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExceptionRow {
    /// The exception.
    #[serde(flatten)]
    pub exception: Exception,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, of the last change.
    pub updated_at: String,
    /// RFC 3339, once deleted (then it applies to no scan).
    pub deleted_at: Option<String>,
    /// Every change, oldest first.
    pub history: Vec<ExceptionChange>,
}

/// One change to an exception.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExceptionChange {
    /// RFC 3339.
    pub at: String,
    /// Who (the API's actor: `tenant:k_...`, `admin:...`).
    pub actor: String,
    /// `created`, `updated` or `deleted`.
    pub action: String,
    /// Field name to `[before, after]` (`created`: every field's `[null, value]`).
    pub changes: Value,
}

/// Field by field, what differs between two versions of an exception.
fn diff(before: Option<&Exception>, after: Option<&Exception>) -> Value {
    let as_map = |e: Option<&Exception>| match e.map(serde_json::to_value) {
        Some(Ok(Value::Object(m))) => m,
        _ => serde_json::Map::new(),
    };
    let (b, a) = (as_map(before), as_map(after));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = serde_json::Map::new();
    for k in keys {
        let (x, y) = (b.get(k).cloned().unwrap_or(Value::Null), a.get(k).cloned().unwrap_or(Value::Null));
        if x != y {
            out.insert(k.clone(), json!([x, y]));
        }
    }
    Value::Object(out)
}

async fn append_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &str,
    id: &str,
    actor: &str,
    action: &str,
    changes: &Value,
) -> Result<(), StoreError> {
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM exception_changes WHERE tenant_id = $1 AND exception_id = $2")
        .bind(tenant)
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO exception_changes (tenant_id, exception_id, seq, at, actor, action, changes) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant)
    .bind(id)
    .bind(last.unwrap_or(0) + 1)
    .bind(now())
    .bind(actor)
    .bind(action)
    .bind(changes.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn exception_of(row: &AnyRow) -> Result<Exception, StoreError> {
    let body: String = col(row, "body")?;
    serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("exception body: {e}")))
}

async fn load(tx: &mut sqlx::Transaction<'_, sqlx::Any>, tenant: &str, id: &str) -> Result<Option<ExceptionRow>, StoreError> {
    let Some(row) = sqlx::query("SELECT body, created_at, updated_at, deleted_at FROM exceptions WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(None);
    };
    let changes =
        sqlx::query("SELECT at, actor, action, changes FROM exception_changes WHERE tenant_id = $1 AND exception_id = $2 ORDER BY seq")
            .bind(tenant)
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    let history = changes
        .iter()
        .map(|c| {
            let text: String = col(c, "changes")?;
            Ok(ExceptionChange {
                at: col(c, "at")?,
                actor: col(c, "actor")?,
                action: col(c, "action")?,
                changes: serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("exception change: {e}")))?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some(ExceptionRow {
        exception: exception_of(&row)?,
        created_at: col(&row, "created_at")?,
        updated_at: col(&row, "updated_at")?,
        deleted_at: col(&row, "deleted_at")?,
        history,
    }))
}

impl Store {
    /// Records a new exception (with a new `ex_...` id when `e.id` is empty); `None` if
    /// the id is taken.
    pub async fn create_exception(&self, tenant: &str, e: &Exception, actor: &str) -> Result<Option<ExceptionRow>, StoreError> {
        let mut e = e.clone();
        if e.id.is_empty() {
            e.id = new_id("ex_");
        }
        let e = &e;
        let body = serde_json::to_string(e).map_err(|x| StoreError::Corrupt(x.to_string()))?;
        in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let taken = sqlx::query("SELECT id FROM exceptions WHERE tenant_id = $1 AND id = $2")
                .bind(tenant)
                .bind(&e.id)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                (Ok(None), false)
            } else {
                let at = now();
                sqlx::query("INSERT INTO exceptions (tenant_id, id, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(tenant)
                    .bind(&e.id)
                    .bind(&body)
                    .bind(&at)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?;
                append_change(&mut tx, tenant, &e.id, actor, "created", &diff(None, Some(e))).await?;
                (load(&mut tx, tenant, &e.id).await, true)
            }
        })
    }

    /// A tenant's exceptions, deleted ones included when `deleted`, by id.
    pub async fn list_exceptions(&self, tenant: &str, deleted: bool) -> Result<Vec<ExceptionRow>, StoreError> {
        in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            let filter = if deleted { "" } else { " AND deleted_at IS NULL" };
            let ids: Vec<String> = sqlx::query_scalar(&format!("SELECT id FROM exceptions WHERE tenant_id = $1{filter} ORDER BY id"))
                .bind(tenant)
                .fetch_all(&mut *tx)
                .await?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.extend(load(&mut tx, tenant, &id).await?);
            }
            Ok::<_, StoreError>(out)
        })
    }

    /// One exception (deleted or not), with its history.
    pub async fn get_exception(&self, tenant: &str, id: &str) -> Result<Option<ExceptionRow>, StoreError> {
        in_scope!(self, &Scope::Tenant(tenant.into()), |tx| load(&mut tx, tenant, id).await)
    }

    /// The exceptions a scan of the tenant applies: every one not deleted (expiry is the
    /// scan's to judge, against its start).
    pub async fn active_exceptions(&self, tenant: &str) -> Result<Vec<Exception>, StoreError> {
        let rows = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query("SELECT body FROM exceptions WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id")
                .bind(tenant)
                .fetch_all(&mut *tx)
                .await?
        });
        rows.iter().map(exception_of).collect()
    }

    /// Replaces an exception with `e` (same id), recording what changed; `None` if there
    /// is no such exception, or it is deleted.
    pub async fn update_exception(&self, tenant: &str, e: &Exception, actor: &str) -> Result<Option<ExceptionRow>, StoreError> {
        let body = serde_json::to_string(e).map_err(|x| StoreError::Corrupt(x.to_string()))?;
        in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            match load(&mut tx, tenant, &e.id).await? {
                Some(current) if current.deleted_at.is_none() => {
                    let changes = diff(Some(&current.exception), Some(e));
                    if changes.as_object().is_some_and(|m| m.is_empty()) {
                        (Ok(Some(current)), false)
                    } else {
                        sqlx::query("UPDATE exceptions SET body = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4")
                            .bind(&body)
                            .bind(now())
                            .bind(tenant)
                            .bind(&e.id)
                            .execute(&mut *tx)
                            .await?;
                        append_change(&mut tx, tenant, &e.id, actor, "updated", &changes).await?;
                        (load(&mut tx, tenant, &e.id).await, true)
                    }
                }
                _ => (Ok(None), false),
            }
        })
    }

    /// Deletes an exception (it applies to no later scan; it and its history stay
    /// readable); `false` if there is no such exception, or it is deleted already.
    pub async fn delete_exception(&self, tenant: &str, id: &str, actor: &str) -> Result<bool, StoreError> {
        Ok(in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let at = now();
            let n = sqlx::query(
                "UPDATE exceptions SET deleted_at = $1, updated_at = $1 WHERE tenant_id = $2 AND id = $3 AND deleted_at IS NULL",
            )
            .bind(&at)
            .bind(tenant)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                append_change(&mut tx, tenant, id, actor, "deleted", &json!({})).await?;
            }
            (n == 1, n == 1)
        }))
    }
}

/// The webhook event of an exception about to expire.
pub const EXPIRING_EVENT: &str = "exception.expiring";

/// What a delivery of [`EXPIRING_EVENT`] is about, in `webhook_deliveries.scan_id`:
/// unique per tenant, exception and expiry date, so each expiry is notified once
/// however many schedulers run, and again if the exception is extended.
fn expiring_subject(tenant: &str, e: &Exception) -> String {
    format!("exception/{tenant}/{}/{}", e.id, e.expires)
}

impl Store {
    /// Queues an [`EXPIRING_EVENT`] to the webhook of each tenant that has one, for
    /// each live exception expiring between `today` and `days` days later (dates
    /// `YYYY-MM-DD`), once per expiry; returns (tenant, exception) of each queued.
    /// Tenants are visited one by one, each bound to its own scope: nothing here
    /// reads across tenants but the list of their ids.
    pub async fn queue_expiring_exceptions(&self, today: &str, days: i64) -> Result<Vec<(String, String)>, StoreError> {
        use securebase_inventory::time::{format_rfc3339, parse_rfc3339};
        let Some(start) = parse_rfc3339(today) else { return Err(StoreError::Corrupt(format!("date {today:?}"))) };
        let horizon = format_rfc3339(start + days * 86_400)[..10].to_string();
        let tenants: Vec<String> = in_scope!(self, &Scope::Admin, |tx| {
            sqlx::query_scalar("SELECT id FROM tenants WHERE deleted_at IS NULL ORDER BY id").fetch_all(&mut *tx).await?
        });
        let mut queued = Vec::new();
        for tenant in tenants {
            let due: Vec<Exception> = self
                .list_exceptions(&tenant, false)
                .await?
                .into_iter()
                .map(|r| r.exception)
                .filter(|e| today <= e.expires.as_str() && e.expires.as_str() <= horizon.as_str())
                .collect();
            if due.is_empty() {
                continue;
            }
            in_scope!(self, &Scope::Tenant(tenant.clone()), |tx| {
                let hook = sqlx::query("SELECT id, url FROM webhooks WHERE tenant_id = $1").bind(&tenant).fetch_optional(&mut *tx).await?;
                if let Some(hook) = hook {
                    let (hook_id, url): (String, String) = (col(&hook, "id")?, col(&hook, "url")?);
                    for e in &due {
                        let days_left = (parse_rfc3339(&e.expires).unwrap_or(start) - start) / 86_400;
                        let payload = json!({
                            "event": EXPIRING_EVENT, "tenant_id": tenant, "exception": e, "expires": e.expires, "days_left": days_left,
                        });
                        let done = sqlx::query(
                            "INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, url, event, scan_id, payload, status, attempts, \
                             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8) \
                             ON CONFLICT (scan_id, event) DO NOTHING",
                        )
                        .bind(new_id("d_"))
                        .bind(&tenant)
                        .bind(&hook_id)
                        .bind(&url)
                        .bind(EXPIRING_EVENT)
                        .bind(expiring_subject(&tenant, e))
                        .bind(payload.to_string())
                        .bind(now())
                        .execute(&mut *tx)
                        .await?;
                        if done.rows_affected() == 1 {
                            queued.push((tenant.clone(), e.id.clone()));
                        }
                    }
                }
            });
        }
        Ok(queued)
    }
}
