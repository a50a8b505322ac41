//! `securebase`: the command-line edge of the engine. Parses arguments, wires the
//! crates together, prints, and maps failures to exit codes. `anyhow` lives only here.

mod args;

use anyhow::{Context, Result, anyhow, bail};
use args::{
    BenchCommand, Cli, CollectArgs, Command, Format, InvoiceArgs, JobArgs, OrgArgs, PluginArgs, ReportArgs, ReportFormat, ScanArgs,
    ServeArgs, WorkerArgs,
};
use clap::Parser;
use securebase_runtime::{LoadedPlugin, Runtime, RuntimeOptions, Severity};
use securebase_scan::{Progress, Scanner};
use securebase_scoring::Framework;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

/// Exit status when the scan ran (failing findings included).
const EXIT_OK: u8 = 0;
/// Exit status for unusable input: a file, a field, a flag.
const EXIT_INPUT: u8 = 2;
/// Exit status when `--fail-on` found failing findings at or above the threshold.
const EXIT_FAIL_ON: u8 = 3;

/// An error that is the user's input, not the engine: exits 2.
#[derive(Debug)]
struct InputError(anyhow::Error);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for InputError {}

fn input(e: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(InputError(e.into()))
}

/// The default log filter: warnings, except the AWS SDK's own, whose failures the
/// collector reports itself as error entries (one line per failed call, not a retry log).
const QUIET_LOG: &str = "warn,aws_config=error,aws_smithy_runtime=error,aws_runtime=error,aws_sdk_sts=error";

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SECUREBASE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(if cli.verbose { "securebase=debug,info" } else { QUIET_LOG })),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let code = if e.downcast_ref::<InputError>().is_some() { EXIT_INPUT } else { 1 };
            eprintln!("error: {e:#}");
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Plugins(args) => list_plugins(&args),
        Command::Frameworks(args) => list_frameworks(&args.framework_file),
        Command::Report(args) => report(&args),
        Command::Serve(args) => serve(args),
        Command::Worker(args) => worker(args),
        Command::Invoice(args) => invoice(args),
        Command::Collect(args) => collect(args),
        Command::Bench(command) => bench(command),
    }
}

fn runtime(args: &PluginArgs, threads: Option<u16>) -> Result<Runtime> {
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

fn load_plugins(runtime: &Runtime, args: &PluginArgs) -> Result<Vec<LoadedPlugin>> {
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

fn frameworks(selected: &[String], files: &[std::path::PathBuf]) -> Result<Vec<Framework>> {
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

fn scan(args: ScanArgs) -> Result<u8> {
    let snapshot = match (&args.inventory, args.demo, &args.accounts) {
        (Some(dir), false, None) => Some(securebase_inventory::load_dir(dir).map_err(input)?),
        (None, true, None) => Some(securebase_inventory::demo()),
        (None, false, Some(_)) => None,
        _ => return Err(input(anyhow!("give one of --demo, --inventory DIR or --accounts FILE"))),
    };
    let frameworks = frameworks(&args.framework, &args.framework_file)?;
    let runtime = Arc::new(runtime(&args.plugins, args.threads)?);
    let tty = std::io::stderr().is_terminal();
    if tty {
        eprint!("Loading plugins...");
    }
    let plugins = load_plugins(&runtime, &args.plugins)?;
    let scanner = Scanner::new(runtime, plugins, frameworks, args.threads.map(usize::from)).map_err(input)?;
    let progress = |p: Progress| {
        if tty {
            let Progress::AccountDone { done, total, .. } = p;
            eprint!("\r\x1b[2KEvaluating accounts: {done}/{total}");
            let _ = std::io::stderr().flush();
        }
    };
    let report = match (snapshot, &args.accounts) {
        (Some(snapshot), _) => scanner.scan(snapshot, &progress),
        (None, Some(path)) => scan_live(&args, path, &scanner, tty)?,
        (None, None) => unreachable!("checked above"),
    };
    if tty {
        eprint!("\r\x1b[2K");
    }

    if let Some(dir) = &args.out {
        write_outputs(dir, &report)?;
    }
    let text = match args.format {
        Format::Table => securebase_reports::render_table(&report),
        Format::Json => securebase_reports::render_json(&report),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`securebase scan | head`) is the reader's choice, not an error.
    if let Err(e) = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        bail!("writing the report: {e}");
    }

    if let Some(threshold) = &args.fail_on {
        let severity = Severity::parse(threshold).expect("clap validated the severity");
        let n = report.failing_at_or_above(severity);
        if n > 0 {
            eprintln!("{n} failing finding(s) at or above {threshold} (--fail-on)");
            return Ok(EXIT_FAIL_ON);
        }
    }
    Ok(EXIT_OK)
}

/// Writes a file, replacing it only once it is complete, so a failure never leaves half a report.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn write_outputs(dir: &std::path::Path, report: &securebase_scan::ScanReport) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut written = vec![("scan.json".to_string(), securebase_reports::render_json(report).into_bytes())];
    written.push(("findings.csv".into(), securebase_reports::render_csv(report).into_bytes()));
    written.push(("findings.ocsf.json".into(), serde_json::to_vec_pretty(&securebase_reports::render_ocsf(report))?));
    for fw in &report.frameworks {
        written.push((format!("report-{}.pdf", fw.id), securebase_reports::render_pdf(report, &fw.id, None)?));
    }
    for (name, bytes) in written {
        let path = dir.join(name);
        write_atomically(&path, &bytes)?;
        eprintln!("Wrote {}", path.display());
    }
    Ok(())
}

fn report(args: &ReportArgs) -> Result<u8> {
    let text = std::fs::read_to_string(&args.scan).with_context(|| format!("reading {}", args.scan.display())).map_err(input)?;
    let scan: securebase_scan::ScanReport = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a SecureBase scan document (written by `securebase scan --out DIR`)", args.scan.display()))
        .map_err(input)?;
    if scan.schema != securebase_scan::SCAN_SCHEMA {
        return Err(input(anyhow!(
            "{}: field `schema`: expected {}, found {}",
            args.scan.display(),
            securebase_scan::SCAN_SCHEMA,
            scan.schema
        )));
    }
    let bytes = match args.format {
        ReportFormat::Pdf => {
            let framework = args.framework.as_deref().expect("clap requires --framework for pdf");
            securebase_reports::render_pdf(&scan, framework, args.organization.as_deref()).map_err(input)?
        }
        ReportFormat::Csv => securebase_reports::render_csv(&scan).into_bytes(),
        ReportFormat::Ocsf => serde_json::to_vec_pretty(&securebase_reports::render_ocsf(&scan))?,
    };
    write_atomically(&args.out, &bytes)?;
    eprintln!("Wrote {}", args.out.display());
    Ok(EXIT_OK)
}

/// Plugins and frameworks for the service commands (`serve`, `worker`).
fn service_scanner(plugins: &PluginArgs, threads: Option<u16>) -> Result<Arc<Scanner>> {
    let runtime = Arc::new(runtime(plugins, threads)?);
    let loaded = load_plugins(&runtime, plugins)?;
    Ok(Arc::new(Scanner::new(runtime, loaded, frameworks(&[], &[])?, threads.map(usize::from)).map_err(input)?))
}

/// The service database (default: `securebase.db` here), migrated.
async fn open_store(url: Option<&str>, migration_url: Option<&str>) -> Result<securebase_store::Store> {
    let url = url.unwrap_or(DEFAULT_DATABASE);
    securebase_store::Store::open_with(url, migration_url)
        .await
        .with_context(|| format!("opening the database {}", securebase_store::redact_url(url)))
}

/// Where the service keeps its data when no database is named.
const DEFAULT_DATABASE: &str = "sqlite:securebase.db";

/// The environment variable an operator may set to choose the admin key.
const ADMIN_KEY_ENV: &str = "SECUREBASE_ADMIN_KEY";

fn serve(args: ServeArgs) -> Result<u8> {
    let scanner = service_scanner(&args.plugins, args.threads)?;
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async move {
        let store = open_store(args.database_url.as_deref(), args.migration_database_url.as_deref()).await?;
        match std::env::var(ADMIN_KEY_ENV) {
            Ok(token) => {
                let id = store.register_admin_token(&token).await.with_context(|| format!("registering {ADMIN_KEY_ENV}"))?;
                eprintln!("Admin key {id} from {ADMIN_KEY_ENV} is registered.");
            }
            Err(_) if !store.has_admin_key().await? => {
                let key = store.create_key(&securebase_store::KeyKind::Admin, "bootstrap (first start)").await?;
                eprintln!("Bootstrap admin key (shown once, store it now; it is kept only as a hash):\n\n    {}\n", key.token);
            }
            Err(_) => {}
        }
        let config = securebase_api::ApiConfig {
            rate_limit_per_minute: args.rate_limit,
            body_limit: args.body_limit_mib as usize * (1 << 20),
            workers: usize::from(args.workers),
            worker: worker_config(&args.jobs, None, args.endpoint_url.clone()),
            schedule_every: (args.schedule_interval > 0).then(|| std::time::Duration::from_secs(args.schedule_interval)),
            secret_key: secret_key(&args.jobs)?,
            delivery: securebase_jobs::DeliveryPolicy::default(),
        };
        if config.workers == 0 {
            eprintln!("No scan workers in this process (--workers 0): scans wait for `securebase worker` processes.");
        }
        let state = securebase_api::AppState::new(store.clone(), scanner, config);
        let listener =
            tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("listening on {}", args.listen)).map_err(input)?;
        eprintln!(
            "SecureBase API on http://{} ({} database{}); OpenAPI at /v1/openapi.json. Ctrl-C stops.",
            listener.local_addr()?,
            format!("{:?}", store.backend()).to_lowercase(),
            if args.database_url.is_none() { " securebase.db" } else { "" }
        );
        let app = securebase_api::router(state.clone());
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        eprintln!("Stopping: waiting for the scans in hand...");
        if !state.drain(std::time::Duration::from_secs(300)).await {
            eprintln!("warning: scans still running after 300 s were abandoned (they stay 'running' in the database)");
        }
        store.close().await;
        Ok(EXIT_OK)
    })
}

/// What a worker is configured with, from the shared flags.
fn worker_config(jobs: &JobArgs, id: Option<String>, endpoint_url: Option<String>) -> securebase_jobs::WorkerConfig {
    let mut c = securebase_jobs::WorkerConfig::named(id.unwrap_or_else(securebase_jobs::default_worker_id));
    c.lease = std::time::Duration::from_secs(jobs.lease_secs);
    c.limits =
        securebase_store::ClaimLimits { per_tenant: jobs.max_scans_per_tenant, global: jobs.max_scans, max_attempts: jobs.max_attempts };
    c.collect = securebase_collect::CollectOptions { endpoint_url, ..Default::default() };
    c
}

fn secret_key(jobs: &JobArgs) -> Result<Option<securebase_jobs::SecretKey>> {
    jobs.secret_key
        .as_deref()
        .map(|k| securebase_jobs::SecretKey::new(k).context("--secret-key / SECUREBASE_SECRET_KEY").map_err(input))
        .transpose()
}

fn worker(args: WorkerArgs) -> Result<u8> {
    let scanner = service_scanner(&args.plugins, args.threads)?;
    let key = secret_key(&args.jobs)?;
    let config = worker_config(&args.jobs, args.id.clone(), args.endpoint_url.clone());
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async move {
        let store = open_store(args.database_url.as_deref(), args.migration_database_url.as_deref()).await?;
        let (stop, rx) = tokio::sync::watch::channel(false);
        let mut deliveries = None;
        if let Some(key) = key {
            let deliverer = securebase_jobs::Deliverer::new(store.clone(), key, securebase_jobs::DeliveryPolicy::default());
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
        shutdown_signal().await;
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

fn collect(args: CollectArgs) -> Result<u8> {
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let tty = std::io::stderr().is_terminal();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (file, mut options) = accounts_to_collect(&runtime, &args.accounts, &args.collection)?;
    // Recorded from here on: the accounts' own calls, not the organization discovery's.
    let calls = args.record_actions.as_ref().map(|_| securebase_collect::CallLog::default());
    options.calls = calls.clone();
    let total = file.accounts.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let collections = runtime.block_on(securebase_collect::collect_all(&file, &options, usize::from(args.collection.concurrency), &|c| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if tty {
            eprint!("\r\x1b[2KCollected {n}/{total} accounts (last: {})", c.account_id);
        }
    }));
    if tty {
        eprintln!();
    }
    let errors = report_collection_errors(&collections);
    for c in &collections {
        if let Some(inv) = &c.inventory {
            write_atomically(&args.out.join(format!("{}.json", c.account_id)), securebase_inventory::to_json(inv).as_bytes())?;
        }
    }
    let written = collections.iter().filter(|c| c.inventory.is_some()).count();
    eprintln!("Wrote {written} of {total} account(s) to {} ({errors} error(s)).", args.out.display());
    if let (Some(path), Some(calls)) = (&args.record_actions, calls) {
        let actions = calls.actions();
        write_atomically(path, actions.iter().map(|a| format!("{a}\n")).collect::<String>().as_bytes())?;
        eprintln!("Wrote the {} IAM action(s) called to {}.", actions.len(), path.display());
    }
    Ok(EXIT_OK)
}

/// The accounts file, with the organization's accounts discovered, and the options.
fn accounts_to_collect(
    runtime: &tokio::runtime::Runtime,
    path: &std::path::Path,
    args: &args::CollectionArgs,
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
fn report_collection_errors(collections: &[securebase_collect::AccountCollection]) -> usize {
    let mut errors = 0;
    for c in collections {
        for e in &c.errors {
            errors += 1;
            eprintln!("warning: account {} {} [{}]: {}", c.account_id, e.service, e.region, e.message);
        }
    }
    errors
}

/// `scan --accounts`: collection on tokio feeds evaluation on the worker pool through a
/// channel, so the first account is evaluated while the others are still being read.
fn scan_live(args: &ScanArgs, path: &std::path::Path, scanner: &Scanner, tty: bool) -> Result<securebase_scan::ScanReport> {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (file, options) = accounts_to_collect(&runtime, path, &args.collection)?;
    let total = file.accounts.len();
    let (collected, evaluated) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let show = |c: usize, e: usize| {
        if tty {
            eprint!("\r\x1b[2KCollected {c}/{total} accounts, evaluated {e}/{total}");
            let _ = std::io::stderr().flush();
        }
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let concurrency = usize::from(args.collection.concurrency);
    let (collections, report) = std::thread::scope(|scope| {
        let collector = scope.spawn(|| {
            let tx = tx;
            runtime.block_on(securebase_collect::collect_all(&file, &options, concurrency, &|c| {
                if let Some(inv) = &c.inventory {
                    let _ = tx.send(inv.clone());
                }
                show(collected.fetch_add(1, Relaxed) + 1, evaluated.load(Relaxed));
            }))
        });
        let report = scanner.scan_stream(format!("accounts:{}", path.display()), total, rx.into_iter(), &|p| {
            let Progress::AccountDone { done, .. } = p;
            evaluated.store(done, Relaxed);
            show(collected.load(Relaxed), done);
        });
        (collector.join().expect("collection thread"), report)
    });
    if tty {
        eprintln!();
    }
    let errors = report_collection_errors(&collections);
    let mut report = report;
    report.collection_errors = securebase_jobs::collection_entries(&collections);
    let missing = collections.iter().filter(|c| c.inventory.is_none()).count();
    eprintln!(
        "Collected {} of {total} account(s) ({errors} collection error(s)){}.",
        total - missing,
        if missing > 0 { "; accounts that could not be read at all are not in the report" } else { "" }
    );
    Ok(report)
}

fn invoice(args: InvoiceArgs) -> Result<u8> {
    let month =
        securebase_billing::Month::parse(&args.month).ok_or_else(|| input(anyhow!("--month: expected YYYY-MM, found {:?}", args.month)))?;
    if month >= securebase_api::billing::current_month() {
        return Err(input(anyhow!("--month {month} is not over yet: only closed months are invoiced")));
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async move {
        let store = open_store(args.database_url.as_deref(), args.migration_database_url.as_deref()).await?;
        let pricing = securebase_billing::Pricing::builtin();
        let issued = securebase_api::billing::issue_month(&store, &pricing, month).await?;
        println!("{:<24} {:>14}  STATUS", "TENANT", "TOTAL");
        for (inv, new) in &issued {
            let total = securebase_billing::Cents(inv.total_cents);
            println!(
                "{:<24} {:>14}  {}",
                inv.tenant_id,
                format!("{} {total}", pricing.currency),
                if *new { "issued now" } else { "already issued" }
            );
        }
        let new = issued.iter().filter(|i| i.1).count();
        eprintln!("{month}: {new} invoice(s) issued, {} already issued.", issued.len() - new);
        store.close().await;
        Ok(EXIT_OK)
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn generator(org: &OrgArgs) -> securebase_bench::Generator {
    securebase_bench::Generator { accounts: org.accounts, resources_per_account: org.resources_per_account, seed: org.seed }
}

fn bench(command: BenchCommand) -> Result<u8> {
    match command {
        BenchCommand::Generate { org, out } => {
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            for (i, account) in generator(&org).accounts().enumerate() {
                let path = out.join(format!("{}.json", account.account_id()));
                write_atomically(&path, securebase_inventory::to_json(&account).as_bytes())?;
                if std::io::stderr().is_terminal() {
                    eprint!("\r\x1b[2KGenerated {}/{} accounts", i + 1, org.accounts);
                }
            }
            eprintln!("\rWrote {} accounts of about {} items to {}", org.accounts, org.resources_per_account, out.display());
        }
        BenchCommand::Scan { org, threads, no_native } => {
            if cfg!(debug_assertions) {
                eprintln!(
                    "note: this is a debug build; run `cargo run --release -p securebase -- bench scan ...` for representative figures"
                );
            }
            let runtime = Runtime::new(RuntimeOptions::default()).map_err(input)?;
            let plugins = securebase_builtin_plugins::PLUGINS
                .iter()
                .map(|(name, bytes)| runtime.load(name, bytes).with_context(|| format!("loading built-in plugin {name}")))
                .collect::<Result<Vec<_>>>()?;
            let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
            let m = securebase_bench::run(generator(&org), &runtime, &plugins, threads, !no_native);
            print!("{}", m.render(threads));
            if !m.native.is_zero() && m.native_findings != m.findings {
                bail!("the sandbox produced {} verdicts but the native run {}: they must agree", m.findings, m.native_findings);
            }
        }
        BenchCommand::Api { database_url, migration_database_url, tenants, findings_per_tenant, rate, seconds, connections } => {
            if cfg!(debug_assertions) {
                eprintln!(
                    "note: this is a debug build; run `cargo run --release -p securebase -- bench api ...` for representative figures"
                );
            }
            if rate == 0 || seconds == 0 || connections == 0 || tenants == 0 {
                return Err(input(anyhow!("--rate, --seconds, --connections and --tenants must be positive")));
            }
            let b = securebase_bench::api::ApiBench {
                tenants,
                findings_per_tenant,
                rate,
                duration: std::time::Duration::from_secs(seconds),
                connections,
            };
            let runtime = Arc::new(Runtime::new(RuntimeOptions::default()).map_err(input)?);
            let plugins = securebase_builtin_plugins::PLUGINS
                .iter()
                .map(|(name, bytes)| runtime.load(name, bytes).with_context(|| format!("loading built-in plugin {name}")))
                .collect::<Result<Vec<_>>>()?;
            let scanner = Arc::new(Scanner::new(runtime, plugins, securebase_scoring::builtin(), None).map_err(input)?);
            eprintln!("Scanning a synthetic organization for a scan of about {findings_per_tenant} findings...");
            let report = securebase_bench::api::synthetic_report(&scanner, findings_per_tenant);
            let per_tenant: usize = report.accounts.iter().map(|a| a.findings.len()).sum();
            tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async move {
                let store = open_store(Some(&database_url), migration_database_url.as_deref()).await?;
                let started = std::time::Instant::now();
                let tty = std::io::stderr().is_terminal();
                let targets = securebase_bench::api::seed(&store, &report, tenants, &|n| {
                    if tty {
                        eprint!("\r\x1b[2KSeeded {n}/{tenants} tenants ({} findings)", n * per_tenant);
                    }
                })
                .await;
                if tty {
                    eprintln!();
                }
                let seed = started.elapsed();
                eprintln!("Sending {rate} req/s for {seconds} s...");
                let (latencies, ok, elapsed) = securebase_bench::api::load(store, scanner, &targets, &b).await;
                let m = securebase_bench::api::ApiMeasurement {
                    findings: (per_tenant * tenants) as u64,
                    seed,
                    sent: latencies.len().max(ok),
                    ok,
                    latencies,
                    elapsed,
                };
                print!("{}", m.render(&b));
                anyhow::Ok(())
            })?;
        }
    }
    Ok(EXIT_OK)
}

fn list_plugins(args: &PluginArgs) -> Result<u8> {
    let runtime = runtime(args, None)?;
    let plugins = load_plugins(&runtime, args)?;
    let mut out = String::new();
    for p in &plugins {
        let i = p.info();
        out.push_str(&format!("{} {}  ({} checks, sha256 {})\n", i.name, i.version, i.checks.len(), &i.sha256[..16]));
        for c in &i.checks {
            let rule = c.aws_config_rule().map(|r| format!("  [{r}]")).unwrap_or_default();
            out.push_str(&format!("  {:<8} {}{rule}\n           {}\n", c.severity.as_str(), c.id, c.title));
        }
    }
    let total: usize = plugins.iter().map(|p| p.info().checks.len()).sum();
    out.push_str(&format!("{} plugins, {total} checks; sandbox allocator: {}\n", plugins.len(), runtime.allocator().as_str()));
    print!("{out}");
    Ok(EXIT_OK)
}

fn list_frameworks(files: &[std::path::PathBuf]) -> Result<u8> {
    let all = frameworks(&[], files)?;
    let names: Vec<String> = all.iter().map(|f| format!("{} {}", f.name, f.version)).collect();
    let id_w = all.iter().map(|f| f.id.len()).max().unwrap_or(2).max(2);
    let name_w = names.iter().map(String::len).max().unwrap_or(4).max(4);
    println!("{:<id_w$}  {:<name_w$}  {:>12}  {:>9}  {:>6}", "ID", "NAME", "REQUIREMENTS", "AUTOMATED", "MANUAL");
    for (f, name) in all.iter().zip(&names) {
        let manual = f.requirements.iter().filter(|r| r.checks.is_empty()).count();
        println!("{:<id_w$}  {:<name_w$}  {:>12}  {:>9}  {:>6}", f.id, name, f.requirements.len(), f.requirements.len() - manual, manual);
    }
    println!("\nAUTOMATED: decided by SecureBase checks. MANUAL: reported for an auditor to evidence; never counted as passing.");
    Ok(EXIT_OK)
}
