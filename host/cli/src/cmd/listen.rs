//! The service's connections: HTTP/1.1 with a bound on how long a client may take to
//! send a request's headers (which also ends connections left idle between requests)
//! and on how many connections are served at once; further ones wait in the listen
//! queue. `axum::serve` has neither, and one slow client per socket is all a
//! slow-loris attack needs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// Bounds on connections.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    /// Time to receive a request's headers, and to wait for the next request.
    pub header_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// How long open connections get to finish when the service stops.
    pub drain: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open connections
/// finish their requests (up to `limits.drain`).
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        // A free slot first: at the limit, new clients wait in the kernel's queue.
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        while connections.try_join_next().is_some() {}
        let (app, mut stop) = (app.clone(), stop.clone());
        connections.spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(axum::extract::ConnectInfo::<SocketAddr>(addr));
                app.clone().oneshot(request)
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
            let connection = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    let _ = stopping.send(true);
    if tokio::time::timeout(limits.drain, async { while connections.join_next().await.is_some() {} }).await.is_err() {
        tracing::warn!("connections still open after {:?} were closed", limits.drain);
        connections.abort_all();
    }
}

/// Binds `addr` and serves the metrics listener's routes (`/metrics`, `/readyz`,
/// `/healthz`) there in the background for the rest of the process.
pub(crate) async fn serve_metrics(addr: SocketAddr, store: securebase_store::Store) -> anyhow::Result<()> {
    use anyhow::Context;
    let listener =
        tokio::net::TcpListener::bind(addr).await.with_context(|| format!("metrics: listening on {addr}")).map_err(super::common::input)?;
    eprintln!("Metrics on http://{}/metrics (readiness at /readyz).", listener.local_addr()?);
    let limits = ConnectionLimits { header_timeout: Duration::from_secs(10), max_connections: 64, drain: Duration::ZERO };
    tokio::spawn(serve(listener, securebase_api::metrics::router(store), limits, std::future::pending()));
    Ok(())
}
