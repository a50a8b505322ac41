//! API keys: tenants mint, list and revoke their own keys of a scope (`manage`,
//! `scan`, `read`; a `read` key may be limited to an audit window, the dates an
//! auditor's engagement covers), operators do the same for admin keys. A key's secret is shown once,
//! when it is made; lists show everything else about it.

use crate::auth::visible_tenant;
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{Extensions, StatusCode};
use axum::response::{IntoResponse, Response};
use securebase_store::{AdminRevoke, AuditWindow, KeyKind, KeyScope};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// Longest lifetime a key can be given.
const MAX_DAYS: u32 = 3650;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    #[serde(default)]
    label: String,
    /// `manage` when left out (what a tenant key could always do).
    #[serde(default = "manage")]
    scope: String,
    #[serde(default)]
    expires_in_days: Option<u32>,
    /// Dates a `read` key is limited to (an auditor's).
    #[serde(default)]
    window: Option<WindowBody>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowBody {
    from: String,
    to: String,
}

/// An admin key has no scope: the same body without it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAdminKey {
    #[serde(default)]
    label: String,
    #[serde(default)]
    expires_in_days: Option<u32>,
}

fn manage() -> String {
    KeyScope::Manage.as_str().into()
}

/// A request body that may be left out (defaults).
fn optional_body<T: serde::de::DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, AppError> {
    match &body {
        Ok(b) if b.is_empty() => crate::error::parse_body(Ok(Bytes::from_static(b"{}"))),
        _ => crate::error::parse_body(body),
    }
}

/// A tenant key's request body, checked.
struct KeyRequest {
    label: String,
    scope: KeyScope,
    lifetime: Option<Duration>,
    window: Option<AuditWindow>,
}

/// The request body, checked: label, scope, lifetime and audit window.
fn read_new_key(body: Result<Bytes, BytesRejection>) -> Result<KeyRequest, AppError> {
    let req: NewKey = optional_body(body)?;
    let scope = KeyScope::parse(&req.scope).ok_or_else(|| {
        let names: Vec<_> = KeyScope::ALL.iter().map(|k| k.as_str()).collect();
        AppError::bad_request(format!("field scope: {:?} is not a scope; expected one of {}", req.scope, names.join(", ")))
    })?;
    let window = match req.window {
        // A window narrows what a key reads; a key that may also change things would
        // act on what it cannot see.
        Some(_) if scope != KeyScope::Read => {
            return Err(invalid_window(format!(
                "field window: only a read key may carry an audit window; this one's scope is {}",
                scope.as_str()
            )));
        }
        Some(w) => Some(AuditWindow::new(&w.from, &w.to).map_err(invalid_window)?),
        None => None,
    };
    Ok(KeyRequest { lifetime: checked(&req.label, req.expires_in_days)?, label: req.label, scope, window })
}

/// A well-formed window the service cannot take: on a key that is not `read`, a date
/// that does not exist, an end before its start.
fn invalid_window(message: String) -> AppError {
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_window", message)
}

/// The label and lifetime every key body has.
fn checked(label: &str, expires_in_days: Option<u32>) -> Result<Option<Duration>, AppError> {
    if !label.is_empty() {
        crate::tenants::text("label", label, 100)?;
    }
    let lifetime = match expires_in_days {
        None => None,
        Some(d @ 1..=MAX_DAYS) => Some(Duration::from_secs(u64::from(d) * 86_400)),
        Some(d) => return Err(AppError::bad_request(format!("field expires_in_days: {d} is not between 1 and {MAX_DAYS}"))),
    };
    Ok(lifetime)
}

fn created(key: securebase_store::NewKey, tenant: Option<&str>, scope: KeyScope, window: Option<&AuditWindow>) -> Response {
    let body = json!({
        "id": key.id, "tenant_id": tenant, "token": key.token, "scope": scope, "expires_at": key.expires_at,
        "window": window, "note": "shown once: store it now",
    });
    (StatusCode::CREATED, Json(body)).into_response()
}

/// `POST /v1/tenants/{id}/keys`: a manage key or an admin mints a key of any scope.
pub(crate) async fn create(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let r = read_new_key(body)?;
    let key = state.store.create_windowed_key(&KeyKind::Tenant(id.clone()), r.scope, r.lifetime, &r.label, r.window.as_ref()).await?;
    Ok(created(key, Some(&id), r.scope, r.window.as_ref()))
}

/// `GET /v1/tenants/{id}/keys`.
pub(crate) async fn list(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    Ok(Json(json!({ "items": state.store.list_keys(Some(&id)).await? })))
}

/// `DELETE /v1/tenants/{id}/keys/{key}`: the key stops working with the next request.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    ext: Extensions,
    Path((id, key)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    if !state.store.revoke_tenant_key(&id, &key).await? {
        return Err(AppError::not_found("key", &key));
    }
    Ok(Json(json!({ "id": key, "revoked": true })))
}

/// `POST /v1/keys`.
pub(crate) async fn create_admin(State(state): State<AppState>, body: Result<Bytes, BytesRejection>) -> Result<Response, AppError> {
    let req: NewAdminKey = optional_body(body)?;
    let lifetime = checked(&req.label, req.expires_in_days)?;
    let key = state.store.create_scoped_key(&KeyKind::Admin, KeyScope::Manage, lifetime, &req.label).await?;
    Ok(created(key, None, KeyScope::Manage, None))
}

/// `GET /v1/keys`.
pub(crate) async fn list_admin(State(state): State<AppState>) -> Result<Json<serde_json::Value>, AppError> {
    Ok(Json(json!({ "items": state.store.list_keys(None).await? })))
}

/// `DELETE /v1/keys/{key}`.
pub(crate) async fn revoke_admin(State(state): State<AppState>, Path(key): Path<String>) -> Result<Json<serde_json::Value>, AppError> {
    match state.store.revoke_admin_key(&key).await? {
        AdminRevoke::Revoked => Ok(Json(json!({ "id": key, "revoked": true }))),
        AdminRevoke::NotFound => Err(AppError::not_found("admin key", &key)),
        AdminRevoke::LastKey => Err(AppError::new(
            StatusCode::CONFLICT,
            "last_admin_key",
            "this is the last admin key: mint another (POST /v1/keys) before revoking it",
        )),
    }
}
