//! `securebase worker`: run scans queued in the database (and, with a secret key, send
//! webhook deliveries) until Ctrl-C or SIGTERM.

use super::common::{secret_key, service_scanner, shutdown_signal, worker_config};
use crate::EXIT_OK;
use crate::args::WorkerArgs;
use anyhow::Result;
use std::sync::Arc;

pub(crate) fn run(args: WorkerArgs) -> Result<u8> {
    let scanner = service_scanner(&args.plugins, args.threads)?;
    let key = secret_key(&args.jobs)?;
    let config = worker_config(&args.jobs, args.id.clone(), args.endpoint_url.clone());
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async move {
        let store = args.database.open().await?;
        // Before anything answers for this process (its metrics' /readyz, its ready line).
        let shutdown = shutdown_signal();
        if let Some(addr) = args.metrics_listen {
            super::listen::serve_metrics(addr, store.clone()).await?;
        }
        let (stop, rx) = tokio::sync::watch::channel(false);
        let mut deliveries = None;
        if let Some(key) = key {
            let deliverer = securebase_jobs::Deliverer::new(store.clone(), key, super::common::delivery_policy(&args.jobs));
            let rx = rx.clone();
            deliveries = Some(tokio::spawn(async move { deliverer.run(std::time::Duration::from_millis(500), rx).await }));
        }
        let worker = securebase_jobs::Worker::new(store.clone(), scanner, Arc::new(securebase_billing::Pricing::builtin()), config);
        eprintln!(
            "SecureBase worker {} on the {} database: waiting for scans. Ctrl-C stops after the scan in hand.",
            worker.id(),
            format!("{:?}", store.backend()).to_lowercase()
        );
        let running = tokio::spawn({
            let worker = worker.clone();
            async move { worker.run(rx).await }
        });
        shutdown.await;
        eprintln!("Stopping: finishing the scan in hand...");
        let _ = stop.send(true);
        let _ = running.await;
        if let Some(d) = deliveries {
            let _ = d.await;
        }
        store.close().await;
        Ok(EXIT_OK)
    })
}
