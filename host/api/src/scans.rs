//! `/v1/tenants/{id}/scans`: queue a scan of the demo organization, an uploaded
//! snapshot or the tenant's accounts, and follow it. Scans are jobs in the database:
//! a worker (in this process or in `securebase worker` processes) claims and runs them.

use crate::auth::{principal, visible_tenant};
use crate::meta::page;
use crate::tenants::PageQuery;
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{Extensions, StatusCode};
use axum::response::{IntoResponse, Response};
use securebase_inventory::Snapshot;
use securebase_store::{Paged, ScanRow, ScanStatus};
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// `POST /v1/tenants/{id}/scans`.
#[derive(Debug, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum CreateScan {
    /// The bundled demo organization.
    Demo,
    /// Account inventories in the snapshot format, one document per account.
    Snapshot { accounts: Vec<Value> },
    /// The tenant's own AWS accounts.
    Accounts,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateQuery {
    /// Answer when the scan has ended instead of at once.
    wait: Option<bool>,
}

fn snapshot(accounts: &[Value]) -> Result<Snapshot, AppError> {
    if accounts.is_empty() {
        return Err(AppError::bad_request("field accounts: at least one account inventory is needed"));
    }
    securebase_inventory::from_documents(accounts, "upload")
        .map_err(|e| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_snapshot", e.to_string()))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    q: Result<Query<CreateQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let p = principal(&ext);
    let tenant = visible_tenant(&state, &ext, &id).await?;
    let wait = crate::error::parse_query(q)?.wait.unwrap_or(false);
    let req: CreateScan = crate::error::parse_body(body)?;
    let (source, scope, input) = match req {
        CreateScan::Demo => ("demo", "demo".to_string(), None),
        CreateScan::Snapshot { accounts } => {
            // Checked now, so a bad upload is a 422 here, not a failed scan later.
            let parsed = snapshot(&accounts)?;
            let scope = securebase_store::snapshot_scope(parsed.accounts.iter().map(|a| a.account_id()));
            ("snapshot", scope, Some(Value::Array(accounts).to_string()))
        }
        CreateScan::Accounts => {
            if tenant.accounts.is_empty() {
                return Err(AppError::new(
                    StatusCode::CONFLICT,
                    "no_accounts",
                    "this tenant lists no accounts: PATCH its accounts, or upload a snapshot (source \"snapshot\")",
                ));
            }
            ("accounts", "accounts".to_string(), None)
        }
    };
    // A wait holds its connection like a progress stream, and shares the key's places.
    let place = if wait { Some(state.open_streams.open(&p.key_id, state.config.streams.per_key)?) } else { None };
    let new = securebase_store::NewScan { source: source.into(), scope, input, requested_by: p.actor(), schedule_id: None };
    let Some(scan) = state.store.enqueue_scan_within(&id, &new, state.config.max_queued_scans).await? else {
        let mut e = AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_queued_scans",
            format!("this tenant already has {} scans waiting; retry when some have started", state.config.max_queued_scans),
        );
        e.retry_after = Some(30);
        return Err(e);
    };
    state.wake.notify_waiters();
    if !wait {
        return Ok((StatusCode::ACCEPTED, Json(scan)).into_response());
    }
    // Whichever worker takes it (in this process or another), its row says when it ended.
    let deadline = tokio::time::Instant::now() + WAIT_LIMIT.min(state.config.streams.max_duration);
    let _place = place;
    loop {
        let now = state.store.get_scan(&id, &scan.id).await?.ok_or_else(|| AppError::not_found("scan", &scan.id))?;
        if matches!(now.status, ScanStatus::Succeeded | ScanStatus::Failed) {
            return Ok((StatusCode::CREATED, Json(now)).into_response());
        }
        if tokio::time::Instant::now() > deadline {
            return Ok((StatusCode::ACCEPTED, Json(now)).into_response());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How long `?wait=true` waits before answering 202 with the scan as it stands.
const WAIT_LIMIT: Duration = Duration::from_secs(600);

pub(crate) async fn list(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Paged<ScanRow>>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let q = crate::error::parse_query(q)?;
    Ok(Json(state.store.list_scans(&id, crate::auth::window(&ext).as_ref(), page(q.skip(), q.limit())?).await?))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    ext: Extensions,
    Path((id, scan)): Path<(String, String)>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let row = state.store.get_scan(&id, &scan).await?.ok_or_else(|| AppError::not_found("scan", &scan))?;
    // A scan in progress says how far it got: its newest progress event, so a client (the
    // portal's page) can show progress without following the event stream.
    let progress = if matches!(row.status, ScanStatus::Queued | ScanStatus::Running) {
        state.store.latest_scan_event(&id, &scan).await?.map(|e| serde_json::json!({ "event": e.kind, "at": e.at, "data": e.data }))
    } else {
        None
    };
    let mut answer = serde_json::to_value(&row)
        .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("scan {scan}: {e}")))?;
    if let Some(p) = progress {
        answer["progress"] = p;
    }
    Ok(Json(answer))
}
