//! What several commands share: the input-error marker behind exit status 2, the sandbox
//! runtime with its plugins and frameworks, the service database and job settings, live
//! collection's accounts, shutdown on a signal, and writing files whole.

use crate::args::{CollectionArgs, JobArgs, PluginArgs, SandboxArgs};
use anyhow::{Context, Result, anyhow};
use securebase_runtime::{LoadedPlugin, Runtime, RuntimeOptions};
use securebase_scan::Scanner;
use securebase_scoring::Framework;
use std::sync::Arc;

/// An error that is the user's input, not the engine: exits 2.
#[derive(Debug)]
pub(crate) struct InputError(anyhow::Error);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for InputError {}

pub(crate) fn input(e: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(InputError(e.into()))
}

pub(crate) fn runtime(args: &PluginArgs, threads: Option<u16>) -> Result<Runtime> {
    sandbox(&args.sandbox, threads)
}

/// The sandbox alone, for commands that load the one plugin they are given.
pub(crate) fn sandbox(args: &SandboxArgs, threads: Option<u16>) -> Result<Runtime> {
    let mut options = RuntimeOptions {
        limits: args.limits(),
        cache_dir: args.cache_dir(),
        allocator: args.allocator.into(),
        ..RuntimeOptions::default()
    };
    if let Some(n) = threads {
        // Instances alive at once: one per worker, plus room for loading.
        options.max_instances = options.max_instances.max(u32::from(n) * 2);
    }
    Runtime::new(options).map_err(input)
}

/// The SHA-256 of each component `--plugin` names (what scan documents call `file` plugins).
pub(crate) fn file_plugin_hashes(plugins: &[LoadedPlugin], args: &PluginArgs) -> Vec<String> {
    let builtin = if args.no_builtin_plugins { 0 } else { securebase_builtin_plugins::PLUGINS.len() };
    plugins.iter().skip(builtin).map(|p| p.info().sha256.clone()).collect()
}

pub(crate) fn load_plugins(runtime: &Runtime, args: &PluginArgs) -> Result<Vec<LoadedPlugin>> {
    let mut plugins = Vec::new();
    if !args.no_builtin_plugins {
        for (name, bytes) in securebase_builtin_plugins::PLUGINS {
            plugins.push(runtime.load(name, bytes).with_context(|| format!("loading built-in plugin {name}"))?);
        }
    }
    for path in &args.plugin {
        let bytes = std::fs::read(path).with_context(|| format!("reading plugin {}", path.display())).map_err(input)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        plugins.push(runtime.load(&name, &bytes).map_err(input)?);
    }
    if plugins.is_empty() {
        return Err(input(anyhow!("no plugins: --no-builtin-plugins needs at least one --plugin FILE")));
    }
    Ok(plugins)
}

pub(crate) fn frameworks(selected: &[String], files: &[std::path::PathBuf]) -> Result<Vec<Framework>> {
    let mut all = securebase_scoring::builtin();
    for path in files {
        let f = Framework::load(path).map_err(input)?;
        if all.iter().any(|g| g.id == f.id) {
            return Err(input(anyhow!(
                "{}: framework id `{}` is already taken by {}",
                path.display(),
                f.id,
                all.iter().find(|g| g.id == f.id).unwrap().source
            )));
        }
        all.push(f);
    }
    if selected.is_empty() {
        return Ok(all);
    }
    let mut chosen = Vec::new();
    for id in selected {
        match all.iter().find(|f| &f.id == id) {
            Some(f) if !chosen.iter().any(|c: &Framework| &c.id == id) => chosen.push(f.clone()),
            Some(_) => {}
            None => {
                let known: Vec<&str> = all.iter().map(|f| f.id.as_str()).collect();
                return Err(input(anyhow!("unknown framework `{id}`; known frameworks: {}", known.join(", "))));
            }
        }
    }
    Ok(chosen)
}

/// Writes a file, replacing it only once it is complete, so a failure never leaves half a report.
pub(crate) fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Plugins and frameworks for the service commands (`serve`, `worker`).
pub(crate) fn service_scanner(plugins: &PluginArgs, threads: Option<u16>) -> Result<Arc<Scanner>> {
    let runtime = Arc::new(runtime(plugins, threads)?);
    let loaded = load_plugins(&runtime, plugins)?;
    Ok(Arc::new(Scanner::new(runtime, loaded, frameworks(&[], &[])?, threads.map(usize::from)).map_err(input)?))
}

/// The service database (default: `securebase.db` here), migrated.
impl crate::args::DatabaseArgs {
    /// The store these flags name: migrated first (over the owner's URL when given), or
    /// with --no-migrate only checked to be this release's schema.
    pub(crate) async fn open(&self) -> Result<securebase_store::Store> {
        let url = self.database_url.as_deref().unwrap_or(DEFAULT_DATABASE);
        let opened = if self.no_migrate {
            securebase_store::Store::open_migrated(url).await
        } else {
            securebase_store::Store::open_with(url, self.migration_database_url.as_deref()).await
        };
        opened.with_context(|| format!("opening the database {}", securebase_store::redact_url(url)))
    }
}

/// Where the service keeps its data when no database is named.
pub(crate) const DEFAULT_DATABASE: &str = "sqlite:securebase.db";

/// What a worker is configured with, from the shared flags.
pub(crate) fn worker_config(jobs: &JobArgs, id: Option<String>, endpoint_url: Option<String>) -> securebase_jobs::WorkerConfig {
    let mut c = securebase_jobs::WorkerConfig::named(id.unwrap_or_else(securebase_jobs::default_worker_id));
    c.lease = std::time::Duration::from_secs(jobs.lease_secs);
    c.limits = securebase_store::ClaimLimits {
        per_tenant: jobs.max_scans_per_tenant,
        global: jobs.max_scans,
        max_attempts: jobs.max_attempts,
        batches_per_tenant: jobs.batches_per_tenant,
    };
    c.collect = securebase_collect::CollectOptions { endpoint_url, ..Default::default() };
    c.allow_ambient_credentials = jobs.allow_ambient_credentials;
    c.batch_accounts = jobs.batch_accounts;
    c.collect_concurrency = usize::from(jobs.account_slots);
    c
}

pub(crate) fn secret_key(jobs: &JobArgs) -> Result<Option<securebase_jobs::SecretKey>> {
    jobs.secret_key
        .as_deref()
        .map(|k| securebase_jobs::SecretKey::new(k).context("--secret-key / SECUREBASE_SECRET_KEY").map_err(input))
        .transpose()
}

/// The key reports are signed with: `SECUREBASE_SIGNING_KEY` (a key file's path or the
/// base64 secret key; never a flag, never printed); `None` when unset.
pub(crate) fn report_key() -> Result<Option<securebase_kit::signing::SecretKey>> {
    match std::env::var("SECUREBASE_SIGNING_KEY") {
        Ok(v) if !v.trim().is_empty() => {
            Ok(Some(securebase_kit::signing::SecretKey::from_env_value(&v).context("SECUREBASE_SIGNING_KEY").map_err(input)?))
        }
        _ => Ok(None),
    }
}

/// A PDF report, signed when `SECUREBASE_SIGNING_KEY` is set.
pub(crate) fn seal_pdf(pdf: Vec<u8>) -> Result<Vec<u8>> {
    Ok(match report_key()? {
        Some(k) => securebase_reports::seal::seal(pdf, &k.public_base64(), |b| k.sign(b)),
        None => pdf,
    })
}

/// Webhook delivery settings from the command line.
pub(crate) fn delivery_policy(jobs: &JobArgs) -> securebase_jobs::DeliveryPolicy {
    securebase_jobs::DeliveryPolicy { allow_private: jobs.webhook_allow_private, ..securebase_jobs::DeliveryPolicy::default() }
}

/// Ctrl-C or SIGTERM. On unix the handlers are installed when this is called, not when
/// the future is first polled: a signal sent as soon as a process says it is ready is
/// then a request to stop, not the default action that kills it mid-work.
pub(crate) fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (mut interrupt, mut terminate) = (signal(SignalKind::interrupt()).ok(), signal(SignalKind::terminate()).ok());
        // A handler that could not be installed waits forever rather than stopping.
        async fn received(s: Option<&mut tokio::signal::unix::Signal>) {
            match s {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        async move {
            tokio::select! { _ = received(interrupt.as_mut()) => {}, _ = received(terminate.as_mut()) => {} }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The accounts file, with the organization's accounts discovered, and the options.
pub(crate) fn accounts_to_collect(
    runtime: &tokio::runtime::Runtime,
    path: &std::path::Path,
    args: &CollectionArgs,
) -> Result<(securebase_collect::AccountsFile, securebase_collect::CollectOptions)> {
    let file = securebase_collect::AccountsFile::load(path).map_err(input)?;
    let options = args.options();
    let file = runtime
        .block_on(securebase_collect::discover(&file, &options))
        .map_err(|e| anyhow!("discovering the organization's accounts: {} [{}]: {}", e.service, e.region, e.message))?;
    if file.accounts.is_empty() {
        return Err(input(anyhow!(
            "{}: no accounts to collect (the organization listed none that are active and not excluded)",
            path.display()
        )));
    }
    Ok((file, options))
}

/// Prints every collection error as a warning; returns how many.
pub(crate) fn report_collection_errors(collections: &[securebase_collect::AccountCollection]) -> usize {
    let mut errors = 0;
    for c in collections {
        for e in &c.errors {
            errors += 1;
            // AWS's messages can carry text from the account (names, tags): escaped.
            eprintln!("warning: account {} {} [{}]: {}", c.account_id, e.service, e.region, securebase_reports::terminal_safe(&e.message));
        }
    }
    errors
}
