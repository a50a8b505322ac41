//! The SecureBase REST API: tenants, scans, compliance reports, findings, report
//! downloads and the audit log, under `/v1`, over a [`securebase_store::Store`].
//!
//! Every route is declared once, in [`routes::ROUTES`]: the router, the access rule,
//! the audit action and the OpenAPI document ([`openapi`]) all derive from it.
//!
//! Routes: tenants and their keys; scans (demo, uploaded snapshot, the tenant's own
//! accounts), their drift, live progress (SSE) and webhook deliveries; compliance
//! reports, findings and report downloads (PDF, CSV, OCSF); the audit log; usage and
//! invoices; schedules and the webhook of continuous scanning.
//!
//! Request flow: [`auth`] authenticates the bearer key, applies the key's rate limit
//! and scope, prepares the audit entry and usage event of a change so that the store
//! writes them in the change's own transaction, and after the handler ran records the
//! rest (reads, report downloads, refusals, failures); handlers in [`tenants`], [`scans`] and [`reports`] check the principal against
//! the tenant in the path (another tenant's id is a 404, so ids do not leak) and call
//! the store, whose PostgreSQL transactions are bound to that tenant. Every
//! authenticated request on a tenant is metered ([`billing`]) in the same transaction
//! as its audit entry. Every error is
//! an [`AppError`] with a stable JSON shape. Tests call [`router`] directly, without a
//! server, as axum's examples do.

mod attestations;
pub mod auth;
pub mod billing;
mod cache;
mod continuous;
mod error;
mod exceptions;
mod extensions;
mod keys;
mod meta;
pub mod metrics;
pub mod openapi;
mod recorder;
mod reports;
pub mod routes;
mod scans;
mod streams;
mod tenants;

pub use error::AppError;
pub use routes::{ROUTES, Route};
pub use streams::StreamLimits;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use securebase_scan::Scanner;
use securebase_store::Store;
use std::sync::Arc;
use std::time::Duration;

/// Service settings.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Requests per minute allowed to one API key (a burst of as many is allowed).
    pub rate_limit_per_minute: u32,
    /// Requests without a valid key allowed per client address per minute (0: no limit).
    pub anonymous_per_minute: u32,
    /// Scans one tenant may have waiting for a worker; more are refused (429).
    pub max_queued_scans: u32,
    /// Bounds on progress streams and `?wait=true`.
    pub streams: streams::StreamLimits,
    /// Largest request body accepted, in bytes (uploaded snapshots included).
    pub body_limit: usize,
    /// Largest plugin component accepted, in bytes (a Python component built with
    /// componentize-py is 18 to 35 MB, a JavaScript one 8 to 13 MB).
    pub plugin_size_limit: usize,
    /// Largest evidence file of an attestation, in bytes (an attestation request may
    /// carry four at this size).
    pub evidence_size_limit: usize,
    /// Prices, and the fuel budget of tenants' plugins per scan, by tier.
    pub pricing: Arc<securebase_billing::Pricing>,
    /// Scan workers run in this process (0: only `securebase worker` processes run scans).
    pub workers: usize,
    /// How in-process workers behave (lease, limits, how tenants' accounts are reached).
    pub worker: securebase_jobs::WorkerConfig,
    /// How often due schedules are looked for (`None`: this process queues none).
    pub schedule_every: Option<Duration>,
    /// What webhook secrets derive from; without it webhooks cannot be set or sent.
    pub secret_key: Option<securebase_jobs::SecretKey>,
    /// Whether this process sends webhook deliveries (`false`: `securebase worker`
    /// processes send them; webhooks can still be set here).
    pub deliver_webhooks: bool,
    /// Webhook retries.
    pub delivery: securebase_jobs::DeliveryPolicy,
    /// The key PDF reports are signed with (`SECUREBASE_SIGNING_KEY`); unsigned without.
    pub report_key: Option<Arc<securebase_kit::signing::SecretKey>>,
    /// `/metrics` on the API's own listener; false when it is served on a listener of
    /// its own (`serve --metrics-listen`), and the API's answers 404.
    pub metrics_on_main: bool,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            rate_limit_per_minute: 600,
            anonymous_per_minute: 30,
            max_queued_scans: 20,
            streams: streams::StreamLimits::default(),
            body_limit: 16 << 20,
            plugin_size_limit: 64 << 20,
            evidence_size_limit: securebase_attestations::DEFAULT_EVIDENCE_MAX_BYTES as usize,
            pricing: Arc::new(securebase_billing::Pricing::builtin()),
            workers: 1,
            worker: securebase_jobs::WorkerConfig::named(securebase_jobs::default_worker_id()),
            schedule_every: Some(Duration::from_secs(15)),
            secret_key: None,
            deliver_webhooks: true,
            delivery: securebase_jobs::DeliveryPolicy::default(),
            report_key: None,
            metrics_on_main: true,
        }
    }
}

/// Memory for compliance report pages of finished scans (each about 50 to 100 KiB at
/// the default page of 100 findings: the newest scan of a few hundred tenants).
const REPORT_CACHE_BYTES: usize = 64 << 20;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) scanner: Arc<Scanner>,
    pub(crate) limiter: Arc<auth::RateLimiter>,
    /// Per client address, for requests without a valid key.
    pub(crate) anonymous_limiter: Arc<auth::RateLimiter>,
    /// Progress streams and waits open, per key.
    pub(crate) open_streams: Arc<streams::OpenStreams>,
    pub(crate) config: ApiConfig,
    pub(crate) pricing: Arc<securebase_billing::Pricing>,
    /// Tells the background tasks to stop; they finish the scan in hand first.
    stop: Arc<tokio::sync::watch::Sender<bool>>,
    background: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    /// Wakes in-process workers when a scan is queued here.
    pub(crate) wake: Arc<tokio::sync::Notify>,
    /// The OpenAPI document served, with this service's catalogue.
    pub(crate) openapi: Arc<String>,
    /// Compliance report pages of finished scans.
    pub(crate) reports: Arc<cache::ReportCache>,
    /// Writes requests' audit entries and usage events in groups.
    pub(crate) recorder: recorder::Recorder,
}

impl AppState {
    /// State over a store and a scanner (plugins loaded, frameworks parsed). Starts, on
    /// the current tokio runtime, the in-process workers, the scheduler and the webhook
    /// deliverer that `config` asks for.
    pub fn new(store: Store, scanner: Arc<Scanner>, config: ApiConfig) -> Self {
        let pricing = config.pricing.clone();
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
        if let Some(key) = config.secret_key.clone().filter(|_| config.deliver_webhooks) {
            let deliverer = securebase_jobs::Deliverer::new(store.clone(), key, config.delivery);
            let rx = stop.subscribe();
            tasks.push(tokio::spawn(async move { deliverer.run(Duration::from_millis(500), rx).await }));
        }
        let openapi = Arc::new(serde_json::to_string_pretty(&openapi::for_catalogue(&scanner)).expect("the document serializes"));
        // Not a background task to drain: it ends with the last request that may record.
        let (recorder, _) = recorder::Recorder::start(store.clone());
        Self {
            openapi,
            store,
            scanner,
            limiter: Arc::new(auth::RateLimiter::new(config.rate_limit_per_minute)),
            anonymous_limiter: Arc::new(auth::RateLimiter::new(config.anonymous_per_minute)),
            open_streams: Arc::default(),
            config,
            pricing,
            stop: Arc::new(stop),
            background: Arc::new(std::sync::Mutex::new(tasks)),
            wake,
            reports: Arc::new(cache::ReportCache::new(REPORT_CACHE_BYTES)),
            recorder,
        }
    }

    /// The store the service reads and writes (the web portal keeps its sessions there).
    pub fn store(&self) -> &Store {
        &self.store
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

/// The application: every route of [`ROUTES`], the auth and audit layer on all but
/// the public ones, body limits, tracing.
pub fn router(state: AppState) -> Router {
    let (public, keyed): (Vec<&Route>, Vec<&Route>) = ROUTES.iter().partition(|r| r.access == routes::Access::Public);
    let (plugin_limit, evidence_limit) = (state.config.plugin_size_limit, state.config.evidence_size_limit);
    let add = |router: Router<AppState>, route: &&Route| {
        let mut method = route.method_router();
        if route.upload == Some(routes::WASM) {
            // The innermost limit is the one that holds: components are larger than JSON.
            method = method.layer(DefaultBodyLimit::max(plugin_limit));
        }
        if route.upload == Some(routes::MULTIPART) {
            method = method.layer(DefaultBodyLimit::max(evidence_limit * 4 + (1 << 20)));
        }
        router.route(route.path, method)
    };
    let keyed = keyed.iter().fold(Router::new(), add).route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate));
    public
        .iter()
        .fold(Router::new(), add)
        .merge(keyed)
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
