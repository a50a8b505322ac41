//! `securebase serve`: the multi-tenant REST API and the web portal (/ui/), with its in-process scan workers and
//! schedules, until Ctrl-C or SIGTERM.

use super::common::{delivery_policy, input, secret_key, service_scanner, shutdown_signal, worker_config};
use crate::EXIT_OK;
use crate::args::ServeArgs;
use anyhow::{Context, Result};

/// The environment variable an operator may set to choose the admin key.
const ADMIN_KEY_ENV: &str = "SECUREBASE_ADMIN_KEY";

/// Gives the first admin key to the operator without writing it to a log: printed when
/// stderr is a terminal (a person is reading), otherwise (a service manager or a
/// container collecting stderr into logs) written to a file only its owner can read,
/// whose path is printed.
fn hand_over_bootstrap_key(token: &str, file: &std::path::Path) -> Result<()> {
    use std::io::{IsTerminal, Write};
    if std::io::stderr().is_terminal() {
        eprintln!("Bootstrap admin key (shown once, store it now; it is kept only as a hash):\n\n    {token}\n");
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(file).with_context(|| format!("writing the bootstrap admin key to {}", file.display()))?;
    // A file that existed keeps its mode on open: narrow it before the key goes in.
    #[cfg(unix)]
    std::fs::set_permissions(file, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    writeln!(f, "{token}")?;
    eprintln!(
        "Bootstrap admin key written to {} (mode 0600; it is kept only as a hash: move it somewhere safe and delete the file).",
        file.display()
    );
    Ok(())
}

pub(crate) fn run(args: ServeArgs) -> Result<u8> {
    let scanner = service_scanner(&args.plugins, args.threads)?;
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async move {
        let store = args.database.open().await?;
        match std::env::var(ADMIN_KEY_ENV) {
            Ok(token) => {
                let id = store.register_admin_token(&token).await.with_context(|| format!("registering {ADMIN_KEY_ENV}"))?;
                eprintln!("Admin key {id} from {ADMIN_KEY_ENV} is registered.");
            }
            Err(_) if !store.has_admin_key().await? => {
                let key = store.create_key(&securebase_store::KeyKind::Admin, "bootstrap (first start)").await?;
                hand_over_bootstrap_key(&key.token, &args.admin_key_file)?;
            }
            Err(_) => {}
        }
        let config = securebase_api::ApiConfig {
            rate_limit_per_minute: args.rate_limit,
            anonymous_per_minute: args.anonymous_rate_limit,
            max_queued_scans: args.max_queued_scans,
            streams: securebase_api::StreamLimits::default(),
            body_limit: args.body_limit_mib as usize * (1 << 20),
            plugin_size_limit: args.plugin_size_limit_mib as usize * (1 << 20),
            evidence_size_limit: args.evidence_size_limit_mib as usize * (1 << 20),
            report_key: super::common::report_key()?.map(std::sync::Arc::new),
            workers: usize::from(args.workers),
            worker: worker_config(&args.jobs, None, args.endpoint_url.clone()),
            schedule_every: (args.schedule_interval > 0).then(|| std::time::Duration::from_secs(args.schedule_interval)),
            secret_key: secret_key(&args.jobs)?,
            deliver_webhooks: !args.no_webhook_delivery,
            delivery: delivery_policy(&args.jobs),
            pricing: std::sync::Arc::new(securebase_billing::Pricing::builtin()),
            metrics_on_main: args.metrics_listen.is_none(),
        };
        if config.workers == 0 {
            eprintln!("No scan workers in this process (--workers 0): scans wait for `securebase worker` processes.");
        }
        let state = securebase_api::AppState::new(store.clone(), scanner, config);
        let shutdown = shutdown_signal();
        let listener =
            tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("listening on {}", args.listen)).map_err(input)?;
        eprintln!(
            "SecureBase API on http://{} ({} database{}); OpenAPI at /v1/openapi.json, web portal at /ui/. Ctrl-C stops.",
            listener.local_addr()?,
            format!("{:?}", store.backend()).to_lowercase(),
            if args.database.database_url.is_none() { " securebase.db" } else { "" }
        );
        let portal = securebase_portal::PortalConfig {
            session_ttl: std::time::Duration::from_secs(u64::from(args.session_hours) * 3600),
            secure_cookies: args.secure_cookies,
            upload_limit: args.evidence_size_limit_mib as usize * 4 * (1 << 20) + (1 << 20),
        };
        let app = securebase_portal::app(state.clone(), portal).layer(axum::middleware::from_fn(securebase_api::metrics::track));
        if let Some(addr) = args.metrics_listen {
            super::listen::serve_metrics(addr, store.clone()).await?;
        }
        let limits = super::listen::ConnectionLimits {
            header_timeout: std::time::Duration::from_secs(args.header_timeout_secs),
            max_connections: args.max_connections as usize,
            drain: std::time::Duration::from_secs(10),
        };
        super::listen::serve(listener, app, limits, shutdown).await;
        eprintln!("Stopping: waiting for the scans in hand...");
        if !state.drain(std::time::Duration::from_secs(300)).await {
            eprintln!("warning: scans still running after 300 s were abandoned (they stay 'running' in the database)");
        }
        store.close().await;
        Ok(EXIT_OK)
    })
}
