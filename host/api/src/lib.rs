//! The SecureBase REST API: tenants, scans, compliance reports, findings, report
//! downloads and the audit log, under `/v1`, over a [`securebase_store::Store`].
//!
//! Request flow: [`auth`] authenticates the bearer key, applies the key's rate limit
//! and, after the handler ran, appends mutations and report downloads to the audit
//! log; handlers in [`tenants`], [`scans`] and [`reports`] check the principal against
//! the tenant in the path (another tenant's id is a 404, so ids do not leak) and call
//! the store, whose PostgreSQL transactions are bound to that tenant. Every
//! authenticated request on a tenant is metered ([`billing`]) in the same transaction
//! as its audit entry. Every error is
//! an [`AppError`] with a stable JSON shape. Tests call [`router`] directly, without a
//! server, as axum's examples do.

pub mod auth;
pub mod billing;
mod error;
mod meta;
mod reports;
mod scans;
pub use scans::collection_entries;
mod tenants;

pub use error::AppError;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use securebase_scan::Scanner;
use securebase_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Service settings.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Requests per minute allowed to one API key (a burst of as many is allowed).
    pub rate_limit_per_minute: u32,
    /// Largest request body accepted, in bytes (uploaded snapshots included).
    pub body_limit: usize,
    /// How scans of tenants' own accounts reach AWS (or a local endpoint).
    pub collect: securebase_collect::CollectOptions,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self { rate_limit_per_minute: 600, body_limit: 16 << 20, collect: securebase_collect::CollectOptions::default() }
    }
}

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) scanner: Arc<Scanner>,
    pub(crate) limiter: Arc<auth::RateLimiter>,
    pub(crate) config: ApiConfig,
    pub(crate) pricing: Arc<securebase_billing::Pricing>,
    /// One permit per scan in flight; shutdown takes them all to wait for the last.
    pub(crate) jobs: Arc<Semaphore>,
}

const JOB_PERMITS: u32 = 1 << 20;

impl AppState {
    /// State over a store and a scanner (plugins loaded, frameworks parsed).
    pub fn new(store: Store, scanner: Arc<Scanner>, config: ApiConfig) -> Self {
        Self {
            store,
            scanner,
            limiter: Arc::new(auth::RateLimiter::new(config.rate_limit_per_minute)),
            config,
            pricing: Arc::new(securebase_billing::Pricing::builtin()),
            jobs: Arc::new(Semaphore::new(JOB_PERMITS as usize)),
        }
    }

    /// Waits until every scan started so far has been stored (or `timeout` passes).
    pub async fn drain(&self, timeout: Duration) -> bool {
        tokio::time::timeout(timeout, self.jobs.acquire_many(JOB_PERMITS)).await.is_ok()
    }
}

/// Every route: method and path, as the OpenAPI document must list them.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/v1/openapi.json"),
    ("get", "/v1/frameworks"),
    ("get", "/v1/plugins"),
    ("post", "/v1/tenants"),
    ("get", "/v1/tenants"),
    ("get", "/v1/tenants/{id}"),
    ("patch", "/v1/tenants/{id}"),
    ("delete", "/v1/tenants/{id}"),
    ("post", "/v1/tenants/{id}/keys"),
    ("post", "/v1/tenants/{id}/scans"),
    ("get", "/v1/tenants/{id}/scans"),
    ("get", "/v1/tenants/{id}/scans/{scan}"),
    ("get", "/v1/tenants/{id}/scans/{scan}/report.pdf"),
    ("get", "/v1/tenants/{id}/scans/{scan}/report.csv"),
    ("get", "/v1/tenants/{id}/scans/{scan}/report.ocsf.json"),
    ("get", "/v1/tenants/{id}/compliance-report"),
    ("get", "/v1/tenants/{id}/findings"),
    ("get", "/v1/tenants/{id}/audit"),
    ("get", "/v1/tenants/{id}/usage"),
    ("get", "/v1/tenants/{id}/invoices/{month}"),
];

/// The application: every route, the auth and audit layer, body limits, tracing.
pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/frameworks", get(meta::frameworks))
        .route("/plugins", get(meta::plugins))
        .route("/tenants", post(tenants::create).get(tenants::list))
        .route("/tenants/{id}", get(tenants::show).patch(tenants::update).delete(tenants::delete))
        .route("/tenants/{id}/keys", post(tenants::create_key))
        .route("/tenants/{id}/scans", post(scans::create).get(scans::list))
        .route("/tenants/{id}/scans/{scan}", get(scans::show))
        .route("/tenants/{id}/scans/{scan}/{file}", get(reports::download))
        .route("/tenants/{id}/compliance-report", get(reports::compliance_report))
        .route("/tenants/{id}/findings", get(reports::findings))
        .route("/tenants/{id}/audit", get(tenants::audit))
        .route("/tenants/{id}/usage", get(billing::usage))
        .route("/tenants/{id}/invoices/{month}", get(billing::invoice))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate));
    Router::new()
        .route("/healthz", get(meta::healthz))
        .route("/v1/openapi.json", get(meta::openapi))
        .nest("/v1", v1)
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
