//! Routes about the service itself: health, the OpenAPI document, the frameworks and
//! plugins it scores with; and the pagination rules every list shares.

use crate::{AppError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use securebase_store::Page;
use serde_json::{Value, json};

/// Largest page.
pub(crate) const MAX_LIMIT: u64 = 500;

/// `skip` and `limit` from a query: defaults 0 and 50, `skip` at most
/// [`crate::routes::MAX_SKIP`], `limit` 1 to 500.
pub(crate) fn page(skip: Option<u64>, limit: Option<u64>) -> Result<Page, AppError> {
    let limit = limit.unwrap_or(50);
    let max_skip = crate::routes::MAX_SKIP;
    if skip.is_some_and(|s| s > max_skip) {
        return Err(AppError::bad_request(format!("skip must be at most {max_skip}")));
    }
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::bad_request(format!("limit must be between 1 and {MAX_LIMIT}, not {limit}")));
    }
    Ok(Page { skip: skip.unwrap_or(0), limit })
}

/// The database answers, or the 503 that `/healthz` and `/readyz` give when it does not.
pub(crate) async fn database_answers(store: &securebase_store::Store) -> Result<(), AppError> {
    store.ping().await.map_err(|e| {
        tracing::error!(error = %e, "health check: database unreachable");
        AppError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the database does not answer")
    })
}

pub(crate) async fn healthz(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    database_answers(&state.store).await?;
    Ok(Json(json!({ "status": "ok", "database": format!("{:?}", state.store.backend()).to_lowercase() })))
}

/// `GET /v1/signing-key`: the public key reports are signed with, for
/// `securebase report verify --public-key`.
pub(crate) async fn signing_key(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let key = state.config.report_key.as_ref().ok_or_else(|| {
        AppError::new(StatusCode::NOT_FOUND, "not_found", "this service signs no reports: it was started without SECUREBASE_SIGNING_KEY")
    })?;
    Ok(Json(json!({ "algorithm": "ed25519", "public_key": key.public_base64() })))
}

pub(crate) async fn openapi(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], state.openapi.as_str().to_owned())
}

pub(crate) async fn frameworks(State(state): State<AppState>) -> Json<Value> {
    let items: Vec<Value> = state
        .scanner
        .frameworks()
        .iter()
        .map(|f| {
            let automated = f.requirements.iter().filter(|r| !r.checks.is_empty()).count();
            json!({
                "id": f.id, "name": f.name, "version": f.version, "sha256": f.sha256,
                "requirements": f.requirements.len(), "automated": automated,
            })
        })
        .collect();
    Json(json!({ "items": items, "total": items.len() }))
}

pub(crate) async fn plugins(State(state): State<AppState>) -> Json<Value> {
    let items: Vec<Value> = state.scanner.plugins().iter().map(|p| p.info().to_json()).collect();
    Json(json!({ "items": items, "total": items.len() }))
}
