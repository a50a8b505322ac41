//! `securebase-bench`: the benchmark harness's command line, kept out of the `securebase`
//! binary so that the product does not build the API, the store and every plugin compiled
//! natively just for it. Writes synthetic organizations, runs the scan benchmark (sandbox
//! vs native) and the API load benchmark; build with `--release` for real figures.
//! `anyhow` lives only here; the library's errors stay typed.

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use securebase_runtime::{Metering, PoolTuning, Runtime, RuntimeOptions};
use securebase_scan::Scanner;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Synthetic organizations and the scan benchmark (build with --release for real figures).
#[derive(Debug, Parser)]
#[command(name = "securebase-bench", version)]
struct Cli {
    /// Log what the engine is doing (to stderr).
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

/// `--pool`: see [`securebase_runtime::PoolTuning`].
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PoolArg {
    Default,
    GiveBack,
    Warm,
}

/// `--metering`: see [`securebase_runtime::Metering`].
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum MeteringArg {
    Fuel,
    Epoch,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a synthetic organization as a snapshot directory (one file per account).
    Generate {
        #[command(flatten)]
        org: OrgArgs,
        /// The snapshot directory to create.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Scan a synthetic organization in the sandbox and natively, and print throughput,
    /// instantiation time, peak memory and the sandbox's overhead.
    Scan {
        #[command(flatten)]
        org: OrgArgs,
        /// Worker threads (default: one per core).
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        /// Skip the native baseline run.
        #[arg(long)]
        no_native: bool,
        /// How plugin calls are bounded: `fuel` (the product's setting: deterministic fuel
        /// plus the wall-clock deadline) or `epoch` (the deadline alone), to measure what
        /// fuel metering costs. Run both, one after the other, and compare.
        #[arg(long, value_enum, default_value = "fuel")]
        metering: MeteringArg,
        /// KiB of each instance's memory and tables the pooling allocator resets in place
        /// instead of giving back to the OS (wasmtime's `linear_memory_keep_resident`).
        #[arg(long, value_name = "KIB")]
        keep_resident_kib: Option<usize>,
        /// Decommits of memories, tables and stacks queued and done together
        /// (`decommit_batch_size`).
        #[arg(long, value_name = "N")]
        decommit_batch: Option<usize>,
        /// Restore only the pages an instance touched, found with Linux's `PAGEMAP_SCAN`
        /// (with --keep-resident-kib).
        #[arg(long, value_name = "BOOL")]
        pagemap_scan: Option<bool>,
        /// Start from the runtime's default pool tuning (`default`: warm where the kernel
        /// has `PAGEMAP_SCAN`), wasmtime's (`give-back`) or `warm`; the three flags above
        /// change it.
        #[arg(long, value_enum, default_value = "default")]
        pool: PoolArg,
    },
    /// The API under load: seed a database with tenants and findings, serve the API on
    /// loopback, and send GET .../compliance-report at a fixed rate; prints latency
    /// percentiles. Build with --release for real figures.
    Api {
        /// The database to seed (a fresh one: tenants are added to it).
        /// PostgreSQL for the target; sqlite:PATH works too.
        #[arg(long, value_name = "URL")]
        database_url: String,
        /// PostgreSQL: the owner's URL for migrations, as for `serve`.
        #[arg(long, value_name = "URL")]
        migration_database_url: Option<String>,
        /// Tenants to create.
        #[arg(long, default_value_t = 100)]
        tenants: usize,
        /// Findings in each tenant's scan (about).
        #[arg(long, default_value_t = 10_000)]
        findings_per_tenant: usize,
        /// Requests per second.
        #[arg(long, default_value_t = 200)]
        rate: u32,
        /// Seconds of load.
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// Keep-alive connections of the load generator.
        #[arg(long, default_value_t = 32)]
        connections: usize,
    },
    /// Collection at organization scale: start moto on loopback, create an organization of
    /// N accounts each seeded with tests/moto/seed.py's resources (about 2 s per account,
    /// not measured), then discover and collect them through their roles as `securebase
    /// collect` does; prints accounts per minute, API calls and items per account, error
    /// entries, CPU time (this process and the mock's) and peak memory. Needs python3 with
    /// moto[server] and boto3. Build with --release for real figures.
    Collect {
        /// Accounts in the organization (the management account included).
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=10000))]
        accounts: u16,
        /// An endpoint already seeded with an organization (by tests/moto/organization.py):
        /// collect it as it is instead of starting and seeding a fresh moto. Credentials come
        /// from the environment, as for `securebase collect` (moto takes any:
        /// AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test).
        #[arg(long, value_name = "URL")]
        endpoint_url: Option<String>,
        /// Regions collected in every account, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "us-east-1,eu-west-1")]
        regions: Vec<String>,
        /// Accounts collected at once (as `securebase collect --concurrency`).
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
        /// Attempts per API call (as `securebase collect --max-attempts`). moto answers a
        /// few calls it does not implement with HTTP 500, which the SDK retries with
        /// backoff: 1 measures the collection without those waits.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
        max_attempts: u32,
        /// The seeding script (default: tests/moto/organization.py of this checkout).
        #[arg(long, value_name = "PATH")]
        seed_script: Option<PathBuf>,
    },
    /// One scan spread over many workers: start moto on loopback, seed an organization of
    /// N accounts (as `collect` does, not measured), list them as one tenant's accounts in
    /// a PostgreSQL database, then for each worker count start that many `securebase
    /// worker` processes and time one scan of every account, split into batches any worker
    /// claims. Prints wall time, accounts per minute (overall and per worker), how the
    /// batches spread, what the coordinator does after the last batch (scoring, and
    /// evaluating what no batch evaluated), and the CPU of the workers and
    /// of the mock. Build both binaries with --release for real figures.
    Workers {
        /// The service's database, shared by the workers (PostgreSQL; a fresh one: a
        /// tenant is added to it).
        #[arg(long, value_name = "URL")]
        database_url: String,
        /// The owner's URL for migrations, as for `serve`.
        #[arg(long, value_name = "URL")]
        migration_database_url: Option<String>,
        /// Accounts in the organization (the management account included).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=10000))]
        accounts: u16,
        /// Worker counts to measure, one scan each, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,2,4")]
        workers: Vec<usize>,
        /// Accounts per batch (`securebase worker --batch-accounts`); 0 does not split the
        /// scan (one worker collects every account: the baseline).
        #[arg(long, default_value_t = 10)]
        batch_accounts: u16,
        /// Regions collected in every account, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "us-east-1")]
        regions: Vec<String>,
        /// The `securebase` binary (default: the one beside this one).
        #[arg(long, value_name = "PATH")]
        securebase: Option<PathBuf>,
        /// The seeding script (default: tests/moto/organization.py of this checkout).
        #[arg(long, value_name = "PATH")]
        seed_script: Option<PathBuf>,
    },
    /// The web portal's pages under load: seed one tenant whose scans hold many findings,
    /// sign in with a session, and request the overview and the findings explorer at a
    /// fixed rate, one page after the other; prints latency percentiles per page. Build
    /// with --release for real figures.
    Portal {
        /// The database to seed (sqlite:PATH, the embedded default, or PostgreSQL).
        #[arg(long, value_name = "URL")]
        database_url: String,
        /// PostgreSQL: the owner's URL for migrations, as for `serve`.
        #[arg(long, value_name = "URL")]
        migration_database_url: Option<String>,
        /// Findings in each of the tenant's scans (about).
        #[arg(long, default_value_t = 100_000)]
        findings: usize,
        /// Finished scans of the tenant (the overview charts the last 30).
        #[arg(long, default_value_t = 10)]
        scans: usize,
        /// Requests per second to each page.
        #[arg(long, default_value_t = 20)]
        rate: u32,
        /// Seconds of load on each page.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Keep-alive connections of the load generator.
        #[arg(long, default_value_t = 4)]
        connections: usize,
    },
}

#[derive(Debug, Args)]
struct OrgArgs {
    /// Accounts in the organization.
    #[arg(long, default_value_t = 100)]
    accounts: u64,
    /// Configuration items per account.
    #[arg(long, default_value_t = 1000)]
    resources_per_account: u64,
    /// Seed: the same seed always generates the same organization.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Exit status when the benchmark ran.
const EXIT_OK: u8 = 0;
/// Exit status for unusable input (a zero `--rate`, say), as for `securebase`.
const EXIT_INPUT: u8 = 2;

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

/// The default log filter, as `securebase`'s: warnings, except the AWS SDK's own.
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
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let code = if e.downcast_ref::<InputError>().is_some() { EXIT_INPUT } else { 1 };
            eprintln!("error: {e:#}");
            ExitCode::from(code)
        }
    }
}

/// Writes a file, replacing it only once it is complete, so a failure never leaves half a snapshot.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The database to seed, migrated.
async fn open_store(url: &str, migration_url: Option<&str>) -> Result<securebase_store::Store> {
    securebase_store::Store::open_with(url, migration_url)
        .await
        .with_context(|| format!("opening the database {}", securebase_store::redact_url(url)))
}

/// moto on loopback with an organization of `accounts` accounts seeded (not measured).
fn seeded_moto(accounts: u16, seed_script: Option<PathBuf>) -> Result<(securebase_bench::collect::Moto, Vec<String>)> {
    use securebase_bench::collect;
    let moto = collect::Moto::start()?;
    let script = seed_script.unwrap_or_else(collect::default_seed_script);
    eprintln!("Seeding an organization of {accounts} accounts in moto at {} (not measured)...", moto.url);
    let started = std::time::Instant::now();
    let ids = collect::seed(&moto.url, usize::from(accounts), &script)?;
    println!("seeded: {} accounts in {:.1} s (not part of the figures)", ids.len(), started.elapsed().as_secs_f64());
    Ok((moto, ids))
}

fn generator(org: &OrgArgs) -> securebase_bench::Generator {
    securebase_bench::Generator { accounts: org.accounts, resources_per_account: org.resources_per_account, seed: org.seed }
}

fn run(command: Command) -> Result<u8> {
    match command {
        Command::Generate { org, out } => {
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
        Command::Scan { org, threads, no_native, metering, keep_resident_kib, decommit_batch, pagemap_scan, pool } => {
            if cfg!(debug_assertions) {
                eprintln!(
                    "note: this is a debug build; run `cargo run --release -p securebase-bench -- scan ...` for representative figures"
                );
            }
            let metering = match metering {
                MeteringArg::Fuel => Metering::Fuel,
                MeteringArg::Epoch => Metering::EpochOnly,
            };
            let defaults = RuntimeOptions::default();
            let base = match pool {
                PoolArg::Default => defaults.pool,
                PoolArg::GiveBack => PoolTuning::GIVE_BACK,
                PoolArg::Warm => PoolTuning::WARM,
            };
            let pool = PoolTuning {
                keep_resident: keep_resident_kib.map_or(base.keep_resident, |k| k << 10),
                decommit_batch: decommit_batch.unwrap_or(base.decommit_batch),
                pagemap_scan: pagemap_scan.unwrap_or(base.pagemap_scan),
            };
            let runtime = Runtime::new(RuntimeOptions { metering, pool, ..defaults }).map_err(input)?;
            eprintln!("metering: {metering:?}; pool: {pool:?}; allocator: {}", runtime.allocator().as_str());
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
        Command::Api { database_url, migration_database_url, tenants, findings_per_tenant, rate, seconds, connections } => {
            if cfg!(debug_assertions) {
                eprintln!(
                    "note: this is a debug build; run `cargo run --release -p securebase-bench -- api ...` for representative figures"
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
            let scanner = builtin_scanner()?;
            eprintln!("Scanning a synthetic organization for a scan of about {findings_per_tenant} findings...");
            let report = securebase_bench::api::synthetic_report(&scanner, findings_per_tenant);
            let per_tenant: usize = report.accounts.iter().map(|a| a.findings.len()).sum();
            tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async move {
                let store = open_store(&database_url, migration_database_url.as_deref()).await?;
                let started = std::time::Instant::now();
                let tty = std::io::stderr().is_terminal();
                let targets = securebase_bench::api::seed(&store, &report, tenants, 1, &|n| {
                    if tty {
                        eprint!("\r\x1b[2KSeeded {n}/{tenants} tenants ({} findings)", n * per_tenant);
                    }
                })
                .await;
                if tty {
                    eprintln!();
                }
                let seed = started.elapsed();
                if !database_url.starts_with("sqlite:") {
                    eprintln!("Gathering the planner's statistics (ANALYZE, as autovacuum does after a bulk insert)...");
                    securebase_bench::portal::analyze(migration_database_url.as_deref().unwrap_or(&database_url)).await?;
                }
                eprintln!("Sending {rate} req/s for {seconds} s...");
                let load = securebase_bench::api::load(store, scanner, &targets, &b).await;
                let m = securebase_bench::api::ApiMeasurement::of(load, (per_tenant * tenants) as u64, seed);
                print!("{}", m.render(&b));
                anyhow::Ok(())
            })?;
        }
        Command::Collect { accounts, endpoint_url, regions, concurrency, max_attempts, seed_script } => {
            if cfg!(debug_assertions) {
                eprintln!(
                    "note: this is a debug build; run `cargo run --release -p securebase-bench -- collect ...` for representative figures"
                );
            }
            if let Some(bad) = regions.iter().find(|r| !securebase_collect::is_region(r)) {
                return Err(input(anyhow!("--regions: {bad:?} is not an AWS region name (like us-east-1)")));
            }
            use securebase_bench::collect;
            if let Some(url) = endpoint_url {
                let b = collect::CollectBench { url, regions, concurrency: usize::from(concurrency), max_attempts };
                let m = tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(collect::collect(&b))?;
                print!("{}", m.render(&b));
                return Ok(EXIT_OK);
            }
            let (moto, _ids) = seeded_moto(accounts, seed_script)?;
            // The collection runs in a process of its own: its peak memory is the collection's
            // alone, and it gets the credentials moto takes, nothing of this machine's AWS setup.
            let regions = regions.join(",");
            let mock_before = moto.cpu();
            let status = std::process::Command::new(std::env::current_exe()?)
                .args(["collect", "--endpoint-url", &moto.url, "--regions", &regions])
                .args(["--concurrency", &concurrency.to_string(), "--max-attempts", &max_attempts.to_string()])
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env_remove("AWS_PROFILE")
                .env_remove("AWS_SESSION_TOKEN")
                .status()?;
            if !status.success() {
                bail!("the collection exited with {status}");
            }
            println!("mock CPU: {:.1} s (moto, during the collection)", moto.cpu().saturating_sub(mock_before).as_secs_f64());
        }
        Command::Workers { database_url, migration_database_url, accounts, workers, batch_accounts, regions, securebase, seed_script } => {
            if cfg!(debug_assertions) {
                eprintln!(
                    "note: this is a debug build; run `cargo run --release -p securebase-bench -- workers ...` for representative figures"
                );
            }
            if let Some(bad) = regions.iter().find(|r| !securebase_collect::is_region(r)) {
                return Err(input(anyhow!("--regions: {bad:?} is not an AWS region name (like us-east-1)")));
            }
            if database_url.starts_with("sqlite:") {
                return Err(input(anyhow!(
                    "--database-url: workers in separate processes share a PostgreSQL database; {database_url} is SQLite"
                )));
            }
            if workers.is_empty() || workers.contains(&0) {
                return Err(input(anyhow!("--workers: give worker counts of at least 1, like 1,2,4")));
            }
            let securebase = match securebase {
                Some(p) => p,
                None => std::env::current_exe()?.with_file_name("securebase"),
            };
            if !securebase.is_file() {
                return Err(input(anyhow!(
                    "--securebase: {} does not exist; build it (cargo build --release -p securebase) or name it",
                    securebase.display()
                )));
            }
            use securebase_bench::workers as wb;
            let (moto, ids) = seeded_moto(accounts, seed_script)?;
            let b = wb::WorkersBench {
                securebase,
                database_url: database_url.clone(),
                migration_database_url: migration_database_url.clone(),
                endpoint_url: moto.url.clone(),
                regions: regions.clone(),
                batch_accounts: usize::from(batch_accounts),
            };
            tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async {
                let store = open_store(&database_url, migration_database_url.as_deref()).await?;
                let tenant = wb::tenant(&store, &ids, &regions).await?;
                let split = match batch_accounts {
                    0 => "not split".to_string(),
                    n => format!("batches of {n} accounts"),
                };
                println!("one scan of {} accounts x {} region(s) per worker count, {split}", ids.len(), regions.len());
                print!("{}", wb::WorkersMeasurement::header());
                for &n in &workers {
                    let m = wb::run(&b, &store, &tenant, n, &|| moto.cpu()).await?;
                    print!("{}", m.render());
                }
                store.close().await;
                Ok::<_, anyhow::Error>(())
            })?;
        }
        Command::Portal { database_url, migration_database_url, findings, scans, rate, seconds, connections } => {
            if cfg!(debug_assertions) {
                eprintln!(
                    "note: this is a debug build; run `cargo run --release -p securebase-bench -- portal ...` for representative figures"
                );
            }
            if rate == 0 || seconds == 0 || connections == 0 || scans == 0 {
                return Err(input(anyhow!("--rate, --seconds, --connections and --scans must be positive")));
            }
            let b = securebase_bench::api::ApiBench {
                tenants: 1,
                findings_per_tenant: findings,
                rate,
                duration: std::time::Duration::from_secs(seconds),
                connections,
            };
            let scanner = builtin_scanner()?;
            eprintln!("Scanning a synthetic organization for a scan of about {findings} findings...");
            let report = securebase_bench::api::synthetic_report(&scanner, findings);
            let per_scan: usize = report.accounts.iter().map(|a| a.findings.len()).sum();
            tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async move {
                let store = open_store(&database_url, migration_database_url.as_deref()).await?;
                let started = std::time::Instant::now();
                eprintln!("Seeding one tenant with {scans} scans of {per_scan} findings...");
                let seeded = securebase_bench::api::seed(&store, &report, 1, scans, &|_| {}).await;
                println!(
                    "Seeded 1 tenant, {scans} scans of {per_scan} findings ({} in all) in {:.1} s",
                    per_scan * scans,
                    started.elapsed().as_secs_f64()
                );
                if !database_url.starts_with("sqlite:") {
                    // A service's tables have statistics (autovacuum gathers them after a bulk
                    // insert); a database loaded a moment ago has none and gets other plans.
                    eprintln!("Gathering the planner's statistics (ANALYZE, as autovacuum does after a bulk insert)...");
                    securebase_bench::portal::analyze(migration_database_url.as_deref().unwrap_or(&database_url)).await?;
                }
                eprintln!("Sending {rate} req/s to each page for {seconds} s...");
                for (label, m) in securebase_bench::portal::run(store, scanner, &seeded[0], &b).await {
                    print!("{}", securebase_bench::portal::render(label, &m, &b));
                }
                anyhow::Ok(())
            })?;
        }
    }
    Ok(EXIT_OK)
}

/// The scanner of the built-in plugins and frameworks, as the service runs them.
fn builtin_scanner() -> Result<Arc<Scanner>> {
    let runtime = Arc::new(Runtime::new(RuntimeOptions::default()).map_err(input)?);
    let plugins = securebase_builtin_plugins::PLUGINS
        .iter()
        .map(|(name, bytes)| runtime.load(name, bytes).with_context(|| format!("loading built-in plugin {name}")))
        .collect::<Result<Vec<_>>>()?;
    Ok(Arc::new(Scanner::new(runtime, plugins, securebase_scoring::builtin(), None).map_err(input)?))
}
