//! Continuous scanning over the API: schedules, the webhook, a scan's drift, its
//! webhook deliveries, and its live progress as Server-Sent Events.

use crate::auth::{principal, visible_tenant};
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use securebase_store::{ScanEvent, ScanStatus, Store};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::{Duration, SystemTime};

/// `POST /v1/tenants/{id}/schedules`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewSchedule {
    /// Five fields: minute hour day-of-month month day-of-week (or @daily, ...).
    cron: String,
    /// IANA time zone; UTC when absent.
    timezone: Option<String>,
    /// `demo` or `accounts` (the default).
    source: Option<String>,
}

pub(crate) async fn create_schedule(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let tenant = visible_tenant(&state, &ext, &id).await?;
    let req: NewSchedule = crate::error::parse_body(body)?;
    let invalid = |m: String| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_schedule", m);
    let timezone = req.timezone.unwrap_or_else(|| "UTC".into());
    let cron = securebase_jobs::cron::Cron::parse(&req.cron).map_err(|e| invalid(format!("field cron: {e}")))?;
    let tz = securebase_jobs::cron::time_zone(&timezone).map_err(|e| invalid(format!("field timezone: {e}")))?;
    let source = req.source.unwrap_or_else(|| "accounts".into());
    match source.as_str() {
        "demo" => {}
        "accounts" if tenant.accounts.is_empty() => {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "no_accounts",
                "field source: this tenant lists no accounts to scan; PATCH its accounts first, or use \"demo\"",
            ));
        }
        "accounts" => {}
        other => return Err(invalid(format!("field source: expected \"accounts\" or \"demo\", not {other:?}"))),
    }
    let now = jiff::Timestamp::try_from(SystemTime::now()).map_err(|e| invalid(format!("clock: {e}")))?;
    let next =
        cron.next_after(now, &tz).ok_or_else(|| invalid(format!("field cron: {:?} names no time in the next eight years", req.cron)))?;
    let next_at = securebase_store::timestamp(SystemTime::from(next));
    let p = principal(&ext);
    let schedule = state.store.create_schedule(&id, req.cron.trim(), &timezone, &source, &next_at, &p.actor()).await?;
    Ok((StatusCode::CREATED, Json(schedule)).into_response())
}

pub(crate) async fn list_schedules(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let items = state.store.list_schedules(&id).await?;
    Ok(Json(json!({ "total": items.len(), "items": items })))
}

pub(crate) async fn delete_schedule(
    State(state): State<AppState>,
    ext: Extensions,
    Path((id, schedule)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    if !state.store.delete_schedule(&id, &schedule).await? {
        return Err(AppError::not_found("schedule", &schedule));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /v1/tenants/{id}/webhook`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewWebhook {
    /// Where deliveries are POSTed (http or https).
    url: String,
    /// New failures at or above this severity are notified; `high` when absent.
    min_severity: Option<String>,
}

pub(crate) async fn set_webhook(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let req: NewWebhook = crate::error::parse_body(body)?;
    let invalid = |m: String| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_webhook", m);
    let Some(key) = &state.config.secret_key else {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "webhooks_unavailable",
            "webhooks are signed with secrets derived from the service's secret key, and this service has none: \
             start it with SECUREBASE_SECRET_KEY set",
        ));
    };
    let url = req.url.as_str();
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    if rest.is_none_or(|r| r.is_empty() || r.starts_with('/'))
        || url.chars().count() > 2048
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid(format!("field url: expected an http:// or https:// URL with a host, got {url:?}")));
    }
    // Where it may point: public addresses over https (host/jobs/src/egress.rs). A name is
    // checked on what it resolves to now, and again by the connector at every delivery.
    let allow_private = state.config.delivery.allow_private;
    let not_allowed = |r: securebase_jobs::egress::Refused| {
        AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "webhook_url_not_allowed", format!("field url: {r}"))
    };
    let target = securebase_jobs::egress::check_url(url, allow_private).map_err(not_allowed)?;
    if let Some(name) = &target.name {
        securebase_jobs::egress::check_name(name, target.port, allow_private).await.map_err(not_allowed)?;
    }
    let min_severity = req.min_severity.unwrap_or_else(|| "high".into());
    if !["critical", "high", "medium", "low"].contains(&min_severity.as_str()) {
        return Err(invalid(format!("field min_severity: expected critical, high, medium or low, not {min_severity:?}")));
    }
    let hook = state.store.set_webhook(&id, url, &min_severity, &principal(&ext).actor()).await?;
    let secret = key.webhook_secret(&id, &hook.id);
    let mut body = serde_json::to_value(&hook).expect("a webhook serializes");
    body["secret"] = json!(secret);
    body["secret_note"] = json!(
        "shown once: verify each delivery's X-SecureBase-Signature (t=<unix>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>); \
         setting the webhook again issues a new secret"
    );
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

pub(crate) async fn show_webhook(State(state): State<AppState>, ext: Extensions, Path(id): Path<String>) -> Result<Response, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let hook = state.store.get_webhook(&id).await?.ok_or_else(|| AppError::not_found("webhook", &id))?;
    Ok(Json(hook).into_response())
}

pub(crate) async fn delete_webhook(State(state): State<AppState>, ext: Extensions, Path(id): Path<String>) -> Result<StatusCode, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    if !state.store.delete_webhook(&id).await? {
        return Err(AppError::not_found("webhook", &id));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// A scan that exists but has no result yet: 409, naming its status.
async fn succeeded(state: &AppState, tenant: &str, scan: &str) -> Result<(), AppError> {
    let row = state.store.get_scan(tenant, scan).await?.ok_or_else(|| AppError::not_found("scan", scan))?;
    if row.status != ScanStatus::Succeeded {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "scan_not_succeeded",
            format!("scan {scan} is {}: drift exists once it has succeeded", row.status),
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DriftQuery {
    /// Compare with this scan of the same scope instead of the previous one.
    against: Option<String>,
}

pub(crate) async fn drift(
    State(state): State<AppState>,
    ext: Extensions,
    Path((id, scan)): Path<(String, String)>,
    q: Result<Query<DriftQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    succeeded(&state, &id, &scan).await?;
    if let Some(against) = crate::error::parse_query(q)?.against {
        return drift_against(&state, &ext, &id, &scan, &against).await.map(Json);
    }
    let drift = state
        .store
        .scan_drift(&id, &scan)
        .await?
        .ok_or_else(|| AppError::new(StatusCode::NOT_FOUND, "no_drift", format!("scan {scan} was stored before drift was computed")))?;
    // Drift tells what the previous scan held: a key limited to an audit window sees it
    // only when that scan is in the window too.
    if let Some(w) = crate::auth::window(&ext)
        && let Some(previous) = drift.get("previous_scan").and_then(Value::as_str)
        && crate::auth::started_outside(&state, &id, previous, &w).await?
    {
        return Err(AppError::new(
            StatusCode::NOT_FOUND,
            "drift_outside_audit_window",
            format!("scan {scan}'s drift compares it with scan {previous}, which started outside this key's audit window, {w}"),
        ));
    }
    Ok(Json(json!({ "scan_id": scan, "drift": drift })))
}

pub(crate) async fn deliveries(
    State(state): State<AppState>,
    ext: Extensions,
    Path((id, scan)): Path<(String, String)>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    state.store.get_scan(&id, &scan).await?.ok_or_else(|| AppError::not_found("scan", &scan))?;
    let items: Vec<Value> = state
        .store
        .deliveries(&id, &scan)
        .await?
        .into_iter()
        .map(|d| {
            json!({
                "id": d.id, "event": d.event, "url": d.url, "status": d.status, "attempts": d.attempts,
                "last_status": d.last_status, "last_error": d.last_error,
            })
        })
        .collect();
    Ok(Json(json!({ "total": items.len(), "items": items })))
}

/// How often the event stream looks for new rows.
const EVENT_POLL: Duration = Duration::from_millis(200);

struct Stream {
    store: Store,
    tenant: String,
    scan: String,
    after: i64,
    buffered: VecDeque<ScanEvent>,
    ended: bool,
    /// The key's place among its open streams, held until the stream ends.
    _place: crate::streams::StreamGuard,
    key: String,
    /// When the stream ends whatever the scan does.
    deadline: tokio::time::Instant,
    recheck: Duration,
    next_check: tokio::time::Instant,
}

impl Stream {
    /// The next event; `None` once the scan's last event has been sent.
    async fn next(&mut self) -> Option<ScanEvent> {
        loop {
            let now = tokio::time::Instant::now();
            if now >= self.deadline {
                return None;
            }
            if now >= self.next_check {
                // A revoked or expired key, or a deleted tenant, reads no further.
                if !self.store.key_is_live(&self.key).await.unwrap_or(false) {
                    return None;
                }
                self.next_check = now + self.recheck;
            }
            if let Some(e) = self.buffered.pop_front() {
                self.after = e.id;
                if e.kind == "finished" || e.kind == "failed" {
                    self.ended = true;
                }
                return Some(e);
            }
            if self.ended {
                return None;
            }
            match self.store.scan_events(&self.tenant, &self.scan, self.after, 100).await {
                Ok(events) if !events.is_empty() => self.buffered.extend(events),
                Ok(_) => {
                    // A scan stored without events (before jobs had them) still ends its
                    // stream: its status says it is over.
                    if let Ok(Some(row)) = self.store.get_scan(&self.tenant, &self.scan).await
                        && matches!(row.status, ScanStatus::Succeeded | ScanStatus::Failed)
                    {
                        match self.store.scan_events(&self.tenant, &self.scan, self.after, 100).await {
                            Ok(events) if !events.is_empty() => self.buffered.extend(events),
                            _ => {
                                self.ended = true;
                                let data =
                                    json!({ "status": row.status, "findings": row.findings, "failing": row.failing, "error": row.error });
                                let kind = if row.status == ScanStatus::Succeeded { "finished" } else { "failed" };
                                return Some(ScanEvent {
                                    id: self.after,
                                    at: row.finished_at.unwrap_or_default(),
                                    kind: kind.into(),
                                    data,
                                });
                            }
                        }
                        continue;
                    }
                    tokio::time::sleep(EVENT_POLL).await;
                }
                Err(e) => {
                    tracing::warn!(scan = %self.scan, error = %e, "event stream: cannot read events");
                    tokio::time::sleep(EVENT_POLL * 5).await;
                }
            }
        }
    }
}

/// `GET /v1/tenants/{id}/scans/{scan}/events`: the scan's progress from the start (or
/// after `Last-Event-ID`) until it has finished or failed, as Server-Sent Events.
pub(crate) async fn events(
    State(state): State<AppState>,
    ext: Extensions,
    headers: HeaderMap,
    Path((id, scan)): Path<(String, String)>,
) -> Result<Response, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    state.store.get_scan(&id, &scan).await?.ok_or_else(|| AppError::not_found("scan", &scan))?;
    let after = match headers.get("last-event-id").map(|v| v.to_str().ok().and_then(|s| s.trim().parse::<i64>().ok())) {
        None => 0,
        Some(Some(n)) => n,
        Some(None) => return Err(AppError::bad_request("header Last-Event-ID: expected the id of an event this stream sent")),
    };
    let key = principal(&ext).key_id;
    let limits = state.config.streams;
    let place = state.open_streams.open(&key, limits.per_key)?;
    let now = tokio::time::Instant::now();
    let stream = Stream {
        store: state.store.clone(),
        tenant: id,
        scan,
        after,
        buffered: VecDeque::new(),
        ended: false,
        _place: place,
        key,
        deadline: now + limits.max_duration,
        recheck: limits.recheck,
        next_check: now + limits.recheck,
    };
    let events = futures_util::stream::unfold(stream, |mut s| async move {
        let e = s.next().await?;
        let event = Event::default().id(e.id.to_string()).event(e.kind.clone()).data(json!({ "at": e.at, "data": e.data }).to_string());
        Some((Ok::<_, Infallible>(event), s))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()).into_response())
}

/// What changed from scan `against` to scan `scan` (any two succeeded scans of one
/// scope, in either order), computed now from their stored findings.
async fn drift_against(state: &AppState, ext: &Extensions, id: &str, scan: &str, against: &str) -> Result<Value, AppError> {
    if against == scan {
        return Err(AppError::bad_request(format!("query against: scan {scan} compared with itself changes nothing; name another scan")));
    }
    // Another scan is read only as far as the key may see it: within its audit window.
    if let Some(w) = crate::auth::window(ext)
        && crate::auth::started_outside(state, id, against, &w).await?
    {
        return Err(AppError::not_found("scan", against));
    }
    succeeded(state, id, against).await?;
    let missing = |s: &str| AppError::new(StatusCode::CONFLICT, "scan_not_succeeded", format!("scan {s} has no results to compare"));
    let (scope, current) = state.store.drift_side(id, scan).await?.ok_or_else(|| missing(scan))?;
    let (other_scope, baseline) = state.store.drift_side(id, against).await?.ok_or_else(|| missing(against))?;
    if scope != other_scope {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "different_scopes",
            format!("scan {scan} covers {scope} and scan {against} covers {other_scope}: drift compares scans of one scope"),
        ));
    }
    let drift = securebase_drift::compare(Some(&baseline), &current);
    Ok(json!({ "scan_id": scan, "drift": drift }))
}
