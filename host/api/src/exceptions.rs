//! A tenant's exceptions (accepted risks): create, list, read, change and delete, each
//! change kept with who made it and what changed. Every scan applies the exceptions
//! not deleted and not expired at its start. An exception must name a check the
//! tenant's scans run (or `*`), a justification, an approver and an expiry no more than
//! a year ahead and not in the past (`securebase_exceptions::Exception::problems`).

use crate::auth::{principal, visible_tenant};
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use securebase_exceptions::{DEFAULT_MAX_DAYS, Exception};
use securebase_store::{AuditWindow, ExceptionRow};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The fields of an exception as a request gives them: all optional here, so that a
/// missing one is answered by name with what it should be (and PATCH sends only some).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fields {
    id: Option<String>,
    check: Option<String>,
    account: Option<String>,
    region: Option<String>,
    resource: Option<String>,
    tags: Option<BTreeMap<String, String>>,
    justification: Option<String>,
    approved_by: Option<String>,
    expires: Option<String>,
    ticket: Option<String>,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_exception", message)
}

/// An id a tenant chose: what a ticket system would use (RISK-7, ex-2027-01).
fn is_exception_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Checks an exception about to be stored: every problem, each naming its field.
async fn check(state: &AppState, tenant: &str, e: &Exception, allow_past: bool) -> Result<(), AppError> {
    let mut problems = e.problems(securebase_inventory::time::now_unix(), DEFAULT_MAX_DAYS, allow_past);
    if e.check != "*" && !e.check.trim().is_empty() && !crate::extensions::known_checks(state, tenant).await?(&e.check) {
        problems.push(format!("check: no check \"{}\" runs in this tenant's scans (\"*\" for every check)", e.check));
    }
    for (field, value) in [("ticket", &e.ticket), ("approved_by", &Some(e.approved_by.clone()))] {
        if value.as_deref().is_some_and(|v| v.len() > 500 || v.chars().any(char::is_control)) {
            problems.push(format!("{field}: at most 500 characters, no control characters"));
        }
    }
    if e.justification.len() > 4000 {
        problems.push("justification: at most 4000 characters".into());
    }
    if problems.is_empty() { Ok(()) } else { Err(invalid(problems.iter().map(|p| format!("field {p}")).collect::<Vec<_>>().join("; "))) }
}

/// An exception as the API shows it: the stored row and its state now.
fn shown(row: &ExceptionRow) -> Value {
    let mut v = serde_json::to_value(row).expect("exception rows serialize");
    let state = if row.deleted_at.is_some() {
        "deleted"
    } else if row.exception.expired_at(securebase_inventory::time::now_unix()) {
        "expired"
    } else {
        "active"
    };
    v["state"] = json!(state);
    v
}

/// `POST /v1/tenants/{id}/exceptions`.
pub(crate) async fn create(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let f: Fields = crate::error::parse_body(body)?;
    if let Some(given) = &f.id
        && !is_exception_id(given)
    {
        return Err(invalid(format!(
            "field id: \"{given}\" is not an exception id (1 to 64 letters, digits, '-', '_', '.'; starting with a letter or digit)"
        )));
    }
    let actor = principal(&ext).actor();
    let e = Exception {
        id: f.id.unwrap_or_default(),
        check: f.check.unwrap_or_default(),
        account: f.account,
        region: f.region,
        resource: f.resource,
        tags: f.tags.unwrap_or_default(),
        justification: f.justification.unwrap_or_default(),
        approved_by: f.approved_by.unwrap_or_default(),
        expires: f.expires.unwrap_or_default(),
        created_by: Some(actor.clone()),
        ticket: f.ticket,
    };
    check(&state, &id, &e, false).await?;
    let row =
        state.store.create_exception(&id, &e, &actor).await?.ok_or_else(|| {
            AppError::new(StatusCode::CONFLICT, "exception_exists", format!("this tenant has an exception {} already", e.id))
        })?;
    Ok((StatusCode::CREATED, Json(shown(&row))).into_response())
}

/// `GET /v1/tenants/{id}/exceptions`: those that are not deleted, by id.
pub(crate) async fn list(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let window = crate::auth::window(&ext);
    let rows = state.store.list_exceptions(&id, false).await?;
    let items: Vec<Value> = rows.iter().filter(|r| in_window(r, window.as_ref())).map(shown).collect();
    Ok(Json(json!({ "items": items })))
}

/// Whether an exception was in force on some day of an audit window (every exception
/// is, without one): from its creation to its expiry or deletion.
fn in_window(row: &ExceptionRow, window: Option<&AuditWindow>) -> bool {
    window.is_none_or(|w| w.saw(&row.created_at, &row.exception.expires, row.deleted_at.as_deref()))
}

async fn existing(state: &AppState, tenant: &str, id: &str) -> Result<ExceptionRow, AppError> {
    state.store.get_exception(tenant, id).await?.ok_or_else(|| AppError::not_found("exception", id))
}

/// `GET /v1/tenants/{id}/exceptions/{exception}`: one, deleted or not, with its history.
pub(crate) async fn show(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, exception)): Path<(String, String)>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let row = existing(&state, &id, &exception).await?;
    if !in_window(&row, crate::auth::window(&ext).as_ref()) {
        return Err(AppError::not_found("exception", &exception));
    }
    Ok(Json(shown(&row)))
}

/// `PATCH /v1/tenants/{id}/exceptions/{exception}`: the fields given replace the
/// current ones (`null` clears an optional one); the result is checked whole.
pub(crate) async fn update(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, exception)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let current = existing(&state, &id, &exception).await?;
    if current.deleted_at.is_some() {
        return Err(AppError::new(StatusCode::CONFLICT, "exception_deleted", format!("exception {exception} is deleted")));
    }
    let patch: Value = crate::error::parse_body(body)?;
    let f: Fields = serde_json::from_value(patch.clone()).map_err(|e| invalid(format!("request body: {e}")))?;
    if f.id.as_deref().is_some_and(|i| i != exception) {
        return Err(invalid("field id: an exception's id cannot change"));
    }
    let given = |k: &str| patch.get(k).is_some();
    let mut e = current.exception.clone();
    let keep_expiry = f.expires.is_none();
    let text = |v: Option<String>, old: String| v.unwrap_or(old);
    e.check = text(f.check, e.check);
    e.justification = text(f.justification, e.justification);
    e.approved_by = text(f.approved_by, e.approved_by);
    e.expires = text(f.expires, e.expires);
    for (key, value, slot) in [
        ("account", f.account, &mut e.account),
        ("region", f.region, &mut e.region),
        ("resource", f.resource, &mut e.resource),
        ("ticket", f.ticket, &mut e.ticket),
    ] {
        if given(key) {
            *slot = value;
        }
    }
    if given("tags") {
        e.tags = f.tags.unwrap_or_default();
    }
    // An expiry left as it was may have passed; a new one may not be in the past.
    check(&state, &id, &e, keep_expiry).await?;
    let row = state
        .store
        .update_exception(&id, &e, &principal(&ext).actor())
        .await?
        .ok_or_else(|| AppError::not_found("exception", &exception))?;
    Ok(Json(shown(&row)))
}

/// `DELETE /v1/tenants/{id}/exceptions/{exception}`: later scans stop applying it; it
/// and its history stay readable.
pub(crate) async fn delete(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, exception)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    if !state.store.delete_exception(&id, &exception, &principal(&ext).actor()).await? {
        return Err(AppError::not_found("exception", &exception));
    }
    Ok(StatusCode::NO_CONTENT)
}
