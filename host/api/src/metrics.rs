//! `/metrics` and `/readyz`, and the layer that counts every request: what an operator's
//! Prometheus scrapes and a load balancer or Kubernetes probes. The metrics themselves
//! are declared in `securebase-metrics`. With `serve --metrics-listen` (and always for
//! `worker`) they are served on a listener of their own ([`router`]) and the API's
//! `/metrics` answers 404, so the public port need not expose them.

use crate::{AppError, AppState};
use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use securebase_store::Store;
use serde_json::{Value, json};
use std::time::Instant;

/// Counts a request by its route's template and its status, and times it.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |m| m.as_str()).to_owned();
    let response = next.run(request).await;
    securebase_metrics::global().request(&method, &route, response.status().as_u16(), started.elapsed());
    response
}

/// The metrics text, the queue depth read from the database first (without it, the
/// other metrics are still worth a scrape).
async fn render(store: &Store) -> Response {
    let metrics = securebase_metrics::global();
    match store.queue_depth().await {
        Ok((queued, running)) => metrics.set_queue(queued, running),
        Err(e) => tracing::warn!(error = %e, "metrics: cannot read the queue depth"),
    }
    ([(header::CONTENT_TYPE, securebase_metrics::CONTENT_TYPE)], metrics.render()).into_response()
}

/// Ready to serve: the database answers.
async fn ready(store: &Store) -> Result<Json<Value>, AppError> {
    crate::meta::database_answers(store).await?;
    Ok(Json(json!({ "status": "ready" })))
}

pub(crate) async fn metrics(State(state): State<AppState>) -> Result<Response, AppError> {
    if !state.config.metrics_on_main {
        return Err(AppError::new(StatusCode::NOT_FOUND, "not_found", "metrics are served on the --metrics-listen address"));
    }
    Ok(render(&state.store).await)
}

pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    ready(&state.store).await
}

/// The metrics listener's routes: `/metrics`, `/readyz` and `/healthz` (the process
/// answers), for `serve --metrics-listen` and `worker --metrics-listen`.
pub fn router(store: Store) -> axum::Router {
    axum::Router::new()
        .route("/metrics", get(|State(store): State<Store>| async move { render(&store).await }))
        .route("/readyz", get(|State(store): State<Store>| async move { ready(&store).await }))
        .route("/healthz", get(|| async { Json(json!({ "status": "ok" })) }))
        .with_state(store)
}
