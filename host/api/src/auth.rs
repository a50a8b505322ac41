//! Authentication, rate limiting and the audit trail, as one middleware around every
//! `/v1` route but the OpenAPI document.
//!
//! Keys are bearer tokens (`Authorization: Bearer sb_k_..._...`). A missing, unknown,
//! expired or revoked key is a 401, and an address sending many such requests gets 429
//! for them (valid keys from it still pass); a key over its rate is a 429 with
//! `Retry-After`; a tenant key outside its scope (`read` < `scan` < `manage`) is a 403
//! `insufficient_scope`. A key limited to an audit window is held to its route's
//! [`Window`](crate::routes::Window): refused, shown whole, or narrowed to the window
//! (a scan outside it is a 404 here; lists are narrowed by the handler). After the
//! handler ran, every mutation, every report download and the reads of scans,
//! findings, drift and events are appended to the audit log with who, what, the
//! outcome and the client's address; so is every refusal (401, 403, 429), without the
//! token.

use crate::routes::{Access, Route, Window};
use crate::{AppError, AppState};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use securebase_billing::EventKind;
use securebase_store::{AuditEntry, AuditWindow, KeyKind, Principal, RequestRecord, Tenant, UsageFor};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Token buckets, one per API key: `per_minute` tokens, refilled continuously.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per key per minute (0: unlimited).
    pub fn new(per_minute: u32) -> Self {
        Self { per_minute, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes a token for `key`, or says how many whole seconds until one is free.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_sec = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, last) = buckets.entry(key.to_string()).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * per_sec).min(capacity);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_sec).ceil().max(1.0) as u64)
        }
    }
}

/// A principal another front of the service established (the web portal, from its
/// session), handed to the API in-process on the request's extensions: such a request
/// is not asked for a bearer key and is then treated exactly as the key's own would be
/// (rate limit, scope, audit window, audit log, metering). Only the service's code can
/// put an extension on a request; nothing a client sends becomes one.
#[derive(Debug, Clone)]
pub struct Delegated {
    /// Who acts.
    pub principal: Principal,
    /// A tenant key's tenant, as read when the principal was established.
    pub tenant: Option<Tenant>,
}

/// The audit action of a request refused before its handler ran (401, 403, 429).
const REFUSED: &str = "request.refused";

/// Marks a response its handler gave (so a 403 of the handler's own is audited under
/// the route's action, not as a refusal).
#[derive(Debug, Clone, Copy)]
struct Handled;

/// Set by a handler on its response to name the tenant an audit entry concerns when
/// the path does not (a tenant just created).
#[derive(Debug, Clone)]
pub(crate) struct AuditTenant(pub String);

/// The middleware: authenticate, limit, check access and scope, run, audit. It runs as
/// a task of its own, so a client that disconnects mid-request does not cancel it
/// between the handler's change and its audit entry: what was done is recorded.
pub(crate) async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match tokio::spawn(authenticate_and_run(state, request, next)).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "request task failed");
            AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the service could not complete the request; see its log")
                .into_response()
        }
    }
}

async fn authenticate_and_run(state: AppState, mut request: Request, next: Next) -> Response {
    let method = request.method().clone();
    // Nested under /v1, the request's own URI lost its prefix: audit the one the client sent.
    let path = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map(|u| u.0.path().to_string())
        .unwrap_or_else(|| request.uri().path().to_string());
    let query = request.uri().query().unwrap_or("").to_string();
    let source = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "unknown".into());
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .and_then(|m| crate::routes::by_template(&method, m.as_str()))
        .expect("the middleware is layered on declared routes only");
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string());
    let delegated = request.extensions_mut().remove::<Delegated>();
    let authenticated = match (delegated, &token) {
        (Some(d), _) => Some((d.principal, d.tenant)),
        (None, None) => None,
        (None, Some(t)) => match state.store.authenticate_with_tenant(t).await {
            Ok(found) => found,
            Err(e) => return AppError::from(e).into_response(),
        },
    };
    let Some((principal, own_tenant)) = authenticated else {
        // Requests without a valid key (guessing keys, or load without one) are limited
        // per client address; over the limit they are answered 429 and no longer
        // written to the audit log, so they cannot fill it either.
        if let Err(secs) = state.anonymous_limiter.check(&source) {
            tracing::warn!(%source, "requests without a valid key over the limit");
            let mut e = AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests without a valid API key from this address; retry in {secs} s"),
            );
            e.retry_after = Some(secs);
            return e.into_response();
        }
        let message =
            if token.is_some() { "the API key is unknown, expired or revoked" } else { "send an API key: Authorization: Bearer <key>" };
        let response = AppError::new(StatusCode::UNAUTHORIZED, "unauthorized", message).into_response();
        // Recorded without the token, and without a tenant: nobody was identified.
        let entry = AuditEntry {
            tenant_id: None,
            actor: "anonymous".into(),
            action: REFUSED.into(),
            target: format!("{method} {path}"),
            outcome: "failure".into(),
            status: 401,
            source,
            detail: query,
        };
        if let Err(e) = state.recorder.record(Some(entry), Vec::new()).await {
            tracing::error!(error = %e, "audit append failed");
        }
        return response;
    };
    request.extensions_mut().insert(principal.clone());
    if let Some(t) = &own_tenant {
        request.extensions_mut().insert(t.clone());
    }
    // The route's declared access and scope, before its handler runs. A tenant key on
    // an admin route of another tenant gets the 404 any other route would give it.
    let limited = state.limiter.check(&principal.key_id);
    let mut record: Option<Arc<Mutex<RequestRecord>>> = None;
    let context = RequestContext {
        state: &state,
        principal: &principal,
        own_tenant: own_tenant.as_ref(),
        method: &method,
        path: &path,
        query: &query,
        source: &source,
    };
    let outside = match &principal.window {
        Some(window) => outside_window(&state, route, &path, window).await,
        None => None,
    };
    let response = match (&limited, &route.access, &principal.kind) {
        (Err(secs), ..) => {
            let mut e = AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("this key is limited to {} requests per minute; retry in {secs} s", state.config.rate_limit_per_minute),
            );
            e.retry_after = Some(*secs);
            e.into_response()
        }
        (_, Access::Admin, KeyKind::Tenant(own)) => match tenant_in_path(&path) {
            Some(t) if t != own => AppError::not_found("tenant", t).into_response(),
            _ => AppError::new(StatusCode::FORBIDDEN, "forbidden", "this route needs an admin key").into_response(),
        },
        (_, Access::Tenant, KeyKind::Tenant(_)) if principal.scope < route.scope => AppError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!("this key's scope is {}; {} {} needs {}", principal.scope.as_str(), method, route.path, route.scope.as_str()),
        )
        .into_response(),
        _ if outside.is_some() => outside.expect("checked by the guard"),
        _ => {
            // A change is recorded by the store in the change's own transaction: its
            // audit entry and usage event are prepared now, as they will read if it
            // succeeds, and written only if it happens.
            let mut r = match route.audit.filter(|_| route.verb != crate::routes::Verb::Get) {
                Some(action) => {
                    let tenant_id = match &principal.kind {
                        KeyKind::Tenant(own) => Some(own.clone()),
                        KeyKind::Admin => tenant_in_path(&path).map(str::to_string),
                    };
                    let status = route.success_status();
                    // A tenant being created: its usage event is made once the store knows it.
                    let usage_for_new_tenant = tenant_id.is_none().then(|| {
                        let pricing = state.pricing.clone();
                        let detail = format!("{method} {path} -> {status}");
                        UsageFor(Arc::new(move |tenant: &str, tier| {
                            let key = format!("req:{}", request_key());
                            vec![crate::billing::event(&pricing, tenant, tier, EventKind::ApiCall, key, false, detail.clone())]
                        }))
                    });
                    let (audit, usage) = match context.records(Some(action), tenant_id, status, true).await {
                        Ok(r) => r,
                        Err(e) => return e.into_response(),
                    };
                    let audit = audit.expect("an action was given");
                    let slot = Arc::new(Mutex::new(RequestRecord { audit, usage, usage_for_new_tenant, written: false }));
                    record = Some(slot.clone());
                    securebase_store::recording(slot, next.run(request)).await
                }
                None => next.run(request).await,
            };
            r.extensions_mut().insert(Handled);
            r
        }
    };

    let status = response.status();
    // What was recorded with the change itself, in its transaction: the audit entry, and
    // the usage event unless the tenant was not known before (one just created).
    let (audit_done, usage_done) = match &record {
        Some(r) => {
            let r = r.lock().unwrap_or_else(|p| p.into_inner());
            (r.written, r.written && !r.usage.is_empty())
        }
        None => (false, false),
    };
    if usage_done {
        return response;
    }
    let path_tenant = tenant_in_path(&path).map(str::to_string);
    // The tenant this request concerns: a tenant key's own (its attempts on other ids
    // are its own business, never written into another tenant's records), or for an
    // admin the tenant it created or named.
    let tenant_id = match &principal.kind {
        KeyKind::Tenant(own) => Some(own.clone()),
        KeyKind::Admin => match response.extensions().get::<AuditTenant>() {
            Some(t) => Some(t.0.clone()),
            None => match path_tenant {
                Some(t) if state.store.tenant_existed(&t).await.unwrap_or(false) => Some(t),
                _ => None,
            },
        },
    };
    // Refusals are recorded on every route; the rest on the routes that declare an action.
    let refused = matches!(status.as_u16(), 401 | 403 | 429) && response.extensions().get::<Handled>().is_none();
    let action = if refused { Some(REFUSED) } else { route.audit };
    let (audit, usage) = match context.records(action, tenant_id, status.as_u16(), limited.is_ok()).await {
        Ok((_, usage)) if audit_done => (None, usage),
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    if (audit.is_some() || !usage.is_empty())
        && let Err(e) = state.recorder.record(audit, usage).await
    {
        // An action that cannot be recorded is reported as failed, not silently kept.
        tracing::error!(error = %e, "audit/usage append failed");
        return AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "audit_failed", "the request could not be recorded in the audit log")
            .into_response();
    }
    response
}

/// The tenant id a `/v1/tenants/{id}...` path names.
fn tenant_in_path(path: &str) -> Option<&str> {
    path.strip_prefix("/v1/tenants/").and_then(|r| r.split('/').next())
}

/// Why a key limited to an audit window may not have this request, if it may not:
/// the route shows nothing bounded by a period (403), or names a scan that started
/// outside the window (the 404 of a scan that does not exist: the key cannot see it).
async fn outside_window(state: &AppState, route: &Route, path: &str, window: &AuditWindow) -> Option<Response> {
    match route.window {
        Window::Whole => None,
        Window::Refused => Some(
            AppError::new(
                StatusCode::FORBIDDEN,
                "outside_audit_window",
                format!(
                    "this key is limited to the audit window {window}: it reads the scans, exceptions and attestations of \
                     that period, and {} {} is not among them",
                    route.verb.method(),
                    route.path
                ),
            )
            .into_response(),
        ),
        Window::Narrowed => {
            let (tenant, scan) = (tenant_in_path(path)?, route.path_param(path, "scan")?);
            match started_outside(state, tenant, scan, window).await {
                Ok(true) => Some(AppError::not_found("scan", scan).into_response()),
                Ok(false) => None,
                Err(e) => Some(e.into_response()),
            }
        }
    }
}

/// Whether a scan of the tenant started outside an audit window (`false` for a scan
/// that does not exist: the caller's own 404 says so).
pub(crate) async fn started_outside(state: &AppState, tenant: &str, scan: &str, window: &AuditWindow) -> Result<bool, AppError> {
    Ok(state.store.get_scan(tenant, scan).await?.is_some_and(|r| !window.contains(&r.created_at)))
}

/// What the records of one request are made from.
struct RequestContext<'a> {
    state: &'a AppState,
    principal: &'a Principal,
    own_tenant: Option<&'a Tenant>,
    method: &'a axum::http::Method,
    path: &'a str,
    query: &'a str,
    source: &'a str,
}

impl RequestContext<'_> {
    /// The audit entry (for `action`) and usage events of a request answered `status`.
    async fn records(
        &self,
        action: Option<&str>,
        tenant_id: Option<String>,
        status: u16,
        metered: bool,
    ) -> Result<(Option<AuditEntry>, Vec<securebase_store::UsageEvent>), AppError> {
        let success = (200..300).contains(&status);
        let report_made = success && action.is_some_and(|a| a.starts_with("report.download"));
        let audit = action.map(|action| AuditEntry {
            tenant_id: tenant_id.clone(),
            actor: self.principal.actor(),
            action: action.to_string(),
            target: format!("{} {}", self.method, self.path),
            outcome: if success { "success" } else { "failure" }.into(),
            status,
            source: self.source.to_string(),
            detail: self.query.to_string(),
        });
        let mut usage = vec![];
        // A call refused for its rate is not metered (it did nothing).
        let Some(tenant) = tenant_id.as_ref().filter(|_| metered) else { return Ok((audit, usage)) };
        // The tier in force now prices the events: the tenant key's own, read when it
        // authenticated, or the named tenant's for an operator.
        let tier = match self.own_tenant {
            Some(t) => Some(t.tier),
            None => self.state.store.tenant_tier(tenant).await?,
        };
        if let Some(tier) = tier {
            let request_id = request_key();
            // Tenants pay for their own calls; an operator's calls on a tenant are metered, not billed.
            let billable = matches!(self.principal.kind, KeyKind::Tenant(_));
            let detail = format!("{} {} -> {status}", self.method, self.path);
            let pricing = &self.state.pricing;
            usage.push(crate::billing::event(
                pricing,
                tenant,
                tier,
                EventKind::ApiCall,
                format!("req:{request_id}"),
                billable,
                detail.clone(),
            ));
            if report_made {
                usage.push(crate::billing::event(
                    pricing,
                    tenant,
                    tier,
                    EventKind::ReportGenerated,
                    format!("report:{request_id}"),
                    false,
                    detail,
                ));
            }
        }
        Ok((audit, usage))
    }
}

/// A random key for one request's usage events.
fn request_key() -> String {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The audit window of the request's key, if it is limited to one.
pub(crate) fn window(request_extensions: &axum::http::Extensions) -> Option<AuditWindow> {
    request_extensions.get::<Principal>().and_then(|p| p.window.clone())
}

/// The principal the middleware authenticated.
pub(crate) fn principal(request_extensions: &axum::http::Extensions) -> Principal {
    request_extensions.get::<Principal>().cloned().expect("the auth middleware runs before every /v1 handler")
}

/// The tenant in the path if the principal may see it: its own tenant for a tenant
/// key (read once, by the middleware), any live tenant for an admin key. Anything
/// else is the same 404.
pub(crate) async fn visible_tenant(state: &AppState, ext: &axum::http::Extensions, id: &str) -> Result<Tenant, AppError> {
    match &principal(ext).kind {
        KeyKind::Tenant(own) if own != id => Err(AppError::not_found("tenant", id)),
        KeyKind::Tenant(_) => ext.get::<Tenant>().cloned().ok_or_else(|| AppError::not_found("tenant", id)),
        KeyKind::Admin => state.store.get_tenant(id).await?.ok_or_else(|| AppError::not_found("tenant", id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_says_when() {
        let l = RateLimiter::new(3);
        assert!(l.check("a").is_ok() && l.check("a").is_ok() && l.check("a").is_ok());
        let wait = l.check("a").unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert!(l.check("b").is_ok(), "keys have their own buckets");
        assert!(RateLimiter::new(0).check("a").is_ok());
    }
}
