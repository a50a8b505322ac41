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
mod continuous;
mod error;
mod meta;
mod reports;
mod scans;
mod tenants;

pub use error::AppError;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use securebase_scan::Scanner;
use securebase_store::Store;
use std::sync::Arc;
use std::time::Duration;

/// Service settings.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Requests per minute allowed to one API key (a burst of as many is allowed).
    pub rate_limit_per_minute: u32,
    /// Largest request body accepted, in bytes (uploaded snapshots included).
    pub body_limit: usize,
    /// Scan workers run in this process (0: only `securebase worker` processes run scans).
    pub workers: usize,
    /// How in-process workers behave (lease, limits, how tenants' accounts are reached).
    pub worker: securebase_jobs::WorkerConfig,
    /// How often due schedules are looked for (`None`: this process queues none).
    pub schedule_every: Option<Duration>,
    /// What webhook secrets derive from; without it webhooks cannot be set or sent.
    pub secret_key: Option<securebase_jobs::SecretKey>,
    /// Webhook retries.
    pub delivery: securebase_jobs::DeliveryPolicy,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            rate_limit_per_minute: 600,
            body_limit: 16 << 20,
            workers: 1,
            worker: securebase_jobs::WorkerConfig::named(securebase_jobs::default_worker_id()),
            schedule_every: Some(Duration::from_secs(15)),
            secret_key: None,
            delivery: securebase_jobs::DeliveryPolicy::default(),
        }
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
    /// Tells the background tasks to stop; they finish the scan in hand first.
    stop: Arc<tokio::sync::watch::Sender<bool>>,
    background: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    /// Wakes in-process workers when a scan is queued here.
    pub(crate) wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// State over a store and a scanner (plugins loaded, frameworks parsed). Starts, on
    /// the current tokio runtime, the in-process workers, the scheduler and the webhook
    /// deliverer that `config` asks for.
    pub fn new(store: Store, scanner: Arc<Scanner>, config: ApiConfig) -> Self {
        let pricing = Arc::new(securebase_billing::Pricing::builtin());
        let (stop, _) = tokio::sync::watch::channel(false);
        let mut tasks = vec![];
        let wake = Arc::new(tokio::sync::Notify::new());
        for n in 0..config.workers {
            let mut wc = config.worker.clone();
            if config.workers > 1 {
                wc.id = format!("{}#{n}", wc.id);
            }
            let worker = securebase_jobs::Worker::new(store.clone(), scanner.clone(), pricing.clone(), wc).with_wake(wake.clone());
            let rx = stop.subscribe();
            tasks.push(tokio::spawn(async move { worker.run(rx).await }));
        }
        if let Some(every) = config.schedule_every {
            let scheduler = securebase_jobs::Scheduler::new(store.clone());
            let rx = stop.subscribe();
            tasks.push(tokio::spawn(async move { scheduler.run(every, rx).await }));
        }
        if let Some(key) = config.secret_key.clone() {
            let deliverer = securebase_jobs::Deliverer::new(store.clone(), key, config.delivery);
            let rx = stop.subscribe();
            tasks.push(tokio::spawn(async move { deliverer.run(Duration::from_millis(500), rx).await }));
        }
        Self {
            store,
            scanner,
            limiter: Arc::new(auth::RateLimiter::new(config.rate_limit_per_minute)),
            config,
            pricing,
            stop: Arc::new(stop),
            background: Arc::new(std::sync::Mutex::new(tasks)),
            wake,
        }
    }

    /// Stops the background tasks, waiting for the scans in hand to be stored (or
    /// `timeout` to pass; an abandoned scan is resumed by another worker later).
    pub async fn drain(&self, timeout: Duration) -> bool {
        let _ = self.stop.send(true);
        let tasks = std::mem::take(&mut *self.background.lock().expect("background lock"));
        tokio::time::timeout(timeout, async {
            for t in tasks {
                let _ = t.await;
            }
        })
        .await
        .is_ok()
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
    ("get", "/v1/tenants/{id}/scans/{scan}/drift"),
    ("get", "/v1/tenants/{id}/scans/{scan}/events"),
    ("get", "/v1/tenants/{id}/scans/{scan}/deliveries"),
    ("get", "/v1/tenants/{id}/scans/{scan}/report.pdf"),
    ("get", "/v1/tenants/{id}/scans/{scan}/report.csv"),
    ("get", "/v1/tenants/{id}/scans/{scan}/report.ocsf.json"),
    ("get", "/v1/tenants/{id}/compliance-report"),
    ("get", "/v1/tenants/{id}/findings"),
    ("get", "/v1/tenants/{id}/audit"),
    ("get", "/v1/tenants/{id}/usage"),
    ("get", "/v1/tenants/{id}/invoices/{month}"),
    ("post", "/v1/tenants/{id}/schedules"),
    ("get", "/v1/tenants/{id}/schedules"),
    ("delete", "/v1/tenants/{id}/schedules/{schedule}"),
    ("put", "/v1/tenants/{id}/webhook"),
    ("get", "/v1/tenants/{id}/webhook"),
    ("delete", "/v1/tenants/{id}/webhook"),
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
        .route("/tenants/{id}/scans/{scan}/drift", get(continuous::drift))
        .route("/tenants/{id}/scans/{scan}/events", get(continuous::events))
        .route("/tenants/{id}/scans/{scan}/deliveries", get(continuous::deliveries))
        .route("/tenants/{id}/scans/{scan}/{file}", get(reports::download))
        .route("/tenants/{id}/schedules", post(continuous::create_schedule).get(continuous::list_schedules))
        .route("/tenants/{id}/schedules/{schedule}", delete(continuous::delete_schedule))
        .route("/tenants/{id}/webhook", put(continuous::set_webhook).get(continuous::show_webhook).delete(continuous::delete_webhook))
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
