//! Command-line arguments. The help text is the manual: keep it teaching.

use clap::{Args, Parser, Subcommand, ValueEnum};
use securebase_runtime::{AllocatorChoice, Limits};
use std::path::PathBuf;
use std::time::Duration;

/// SecureBase: compliance scanning for AWS organizations, with sandboxed WebAssembly control plugins.
#[derive(Debug, Parser)]
#[command(
    name = "securebase",
    version,
    after_help = "Examples:\n  securebase scan --demo                      scan the bundled demo organization\n  securebase scan --inventory ./snapshot --framework cis-aws-foundations --fail-on high\n  securebase scan --accounts accounts.toml    collect live from AWS and evaluate as accounts arrive\n  securebase collect --accounts accounts.toml --out ./snapshot\n  securebase plugins                          list plugins and their checks\n  securebase plugin new acme --lang python    start a plugin project of your own\n  securebase frameworks                       list frameworks and requirement counts\n\nLogging: set SECUREBASE_LOG (e.g. SECUREBASE_LOG=debug) or pass --verbose."
)]
pub struct Cli {
    /// Log what the engine is doing (to stderr).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate an inventory snapshot (or the demo organization) against compliance frameworks.
    ///
    /// Exit status: 0 when the scan ran (even with failing findings), 2 for unusable
    /// input (the message names the file and field), 3 when --fail-on matched.
    Scan(ScanArgs),
    /// List the loaded plugins and the checks each implements.
    Plugins(PluginsArgs),
    /// Author a plugin: new, build, test against fixtures, inspect, run, sign and push.
    ///
    /// Every command runs the component in the same sandbox, under the same limits, as
    /// a scan and the service do; what passes `plugin test` here is what they will run.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// List the frameworks with their requirement counts (mapped to checks / manual).
    Frameworks(FrameworkArgs),
    /// Render a saved scan (scan.json) as a PDF compliance report, CSV or OCSF events.
    Report(ReportArgs),
    /// Collect accounts' configuration from AWS into a snapshot directory (what `scan
    /// --inventory` reads): S3, EC2/VPC/EBS, IAM, CloudTrail, CloudWatch and Logs, Config,
    /// KMS, RDS, EFS, GuardDuty, Security Hub, Access Analyzer, in every region named.
    ///
    /// Credentials: the default AWS chain, or each account's role_arn assumed with its
    /// external_id. Nothing secret is written to the snapshot or the log. An account or
    /// service that cannot be read is reported, and every other account is still written.
    Collect(CollectArgs),
    /// Run the multi-tenant REST API (see README: "The service").
    ///
    /// With no --database-url it keeps its data in an embedded SQLite file. On first
    /// start it prints a bootstrap admin key once (or registers SECUREBASE_ADMIN_KEY).
    /// Stops gracefully on Ctrl-C or SIGTERM, finishing scans in flight.
    Serve(ServeArgs),
    /// Apply the database's pending schema migrations, then exit.
    ///
    /// `serve`, `worker` and `invoice` apply them at start-up unless given --no-migrate;
    /// run this first, as the tables' owner, where they are (the Helm chart's
    /// pre-install and pre-upgrade job). Applying twice, or from two places at once, is
    /// safe: each migration is applied once.
    Migrate(MigrateArgs),
    /// Run scans queued in the database (by the API or by schedules) until stopped.
    ///
    /// Any number of workers, on any number of machines, may share one PostgreSQL
    /// database: each claims one scan at a time with a lease it renews; a worker that
    /// dies loses its lease and another resumes the scan, which is stored (and metered)
    /// once. On SQLite run one worker, or `serve --workers`. With SECUREBASE_SECRET_KEY
    /// it also sends webhook deliveries. Stops on Ctrl-C or SIGTERM after the scan in hand.
    Worker(WorkerArgs),
    /// Issue the invoices of a closed month for every tenant (run it after the month ends).
    ///
    /// An invoice already issued is never changed: running it twice issues nothing new.
    Invoice(InvoiceArgs),
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: Option<ReportCommand>,
    /// The scan document written by `securebase scan --out DIR` (DIR/scan.json).
    #[arg(long, value_name = "FILE", required = true)]
    pub scan: Option<PathBuf>,
    /// The framework the PDF reports on (any framework scored in the scan). Not needed for csv or ocsf.
    #[arg(long, value_name = "ID", required_if_eq("format", "pdf"))]
    pub framework: Option<String>,
    /// What to render.
    #[arg(long, value_enum, required = true)]
    pub format: Option<ReportFormat>,
    /// Where to write it.
    #[arg(long, value_name = "FILE", required = true)]
    pub out: Option<PathBuf>,
    /// The organization named on the PDF's cover (default: the scan's inventory source).
    #[arg(long, value_name = "NAME")]
    pub organization: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Check a PDF report or an audit package offline: that it is signed by the service's
    /// key and unchanged since. Exit status 0 when it verifies, 1 when it does not (the
    /// message names what does not match: for a package, each file missing, changed or
    /// not in its manifest), 2 for unusable input.
    ///
    /// The service signs the PDFs and audit packages (GET .../scans/{scan}/audit-package.zip)
    /// it serves when started with SECUREBASE_SIGNING_KEY, and
    /// so do `securebase scan --out` and `securebase report`; its public key is at
    /// GET /v1/signing-key.
    Verify(VerifyReportArgs),
}

#[derive(Debug, Args)]
pub struct VerifyReportArgs {
    /// The PDF report, or an audit package (.zip: its signed manifest, every file
    /// against it, and the PDF inside).
    pub file: PathBuf,
    /// The public key it must be signed by: a file (KEY.pub) or the base64 key itself
    /// (the public_key of GET /v1/signing-key).
    #[arg(long, value_name = "KEY")]
    pub public_key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// PDF compliance report for auditors.
    Pdf,
    /// Findings as CSV.
    Csv,
    /// Findings as OCSF Compliance Finding events (JSON array).
    Ocsf,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Scan the bundled demo organization (Acme Health, three accounts).
    #[arg(long, conflicts_with_all = ["inventory", "accounts"], required_unless_present_any = ["inventory", "accounts"])]
    pub demo: bool,
    /// A snapshot directory: one JSON file per account (format: host/inventory/README.md).
    #[arg(long, value_name = "DIR", conflicts_with = "accounts")]
    pub inventory: Option<PathBuf>,
    /// Collect these accounts live from AWS and evaluate each as soon as it is in (the
    /// accounts file of `securebase collect`; see the collection options below).
    #[arg(long, value_name = "FILE")]
    pub accounts: Option<PathBuf>,
    #[command(flatten)]
    pub collection: CollectionArgs,
    /// Score only this framework (repeatable). Default: all. See `securebase frameworks`.
    #[arg(long, value_name = "ID")]
    pub framework: Vec<String>,
    /// Also load a framework definition from this TOML file (repeatable).
    #[arg(long, value_name = "FILE")]
    pub framework_file: Vec<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write the scan document (scan.json), a PDF report per framework
    /// (report-<framework>.pdf), findings.csv and findings.ocsf.json into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Carry the evaluated inventory in the scan document (JSON output and scan.json),
    /// with its SHA-256, so any finding can later be reproduced with `securebase plugin replay`.
    #[arg(long)]
    pub keep_inventory: bool,
    /// Accepted risks: a TOML file of [[exception]] entries (check, account, region,
    /// resource glob, tags; justification, approved_by, expires). A matching failing
    /// finding becomes `excepted` and its requirement `passing_with_exceptions`, shown
    /// apart from clean passes; an expired entry is reported and matches nothing.
    #[arg(long, value_name = "FILE")]
    pub exceptions: Option<PathBuf>,
    /// Manual requirements evidenced by a person: a TOML file of [[attestation]] entries
    /// (framework, requirement, statement, attested_by, valid_from, valid_until,
    /// evidence = ["./file.pdf"], paths relative to the file). A valid one makes its
    /// requirement `attested`; reports list each evidence file with its SHA-256.
    #[arg(long, value_name = "FILE")]
    pub attestations: Option<PathBuf>,
    /// Exit with status 3 if any failing finding has this severity or higher.
    #[arg(long, value_name = "SEVERITY", value_parser = ["info", "low", "medium", "high", "critical"])]
    pub fail_on: Option<String>,
    /// Worker threads for evaluation (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    #[command(flatten)]
    pub plugins: PluginArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Serve /metrics (Prometheus text format), /readyz and /healthz on this address
    /// instead; the API's own /metrics then answers 404. Default: /metrics on --listen.
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<std::net::SocketAddr>,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Requests per minute allowed to each API key (0: unlimited); over it, 429 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 600)]
    pub rate_limit: u32,
    /// Requests without a valid API key allowed per client address per minute (0:
    /// unlimited); over it, 429 before the database is asked.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub anonymous_rate_limit: u32,
    /// Seconds a client may take to send a request's headers, and to send the next
    /// request on a kept-alive connection; slower ones are disconnected.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_timeout_secs: u64,
    /// Connections served at once; further clients wait in the listen queue.
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections: u32,
    /// Scans one tenant may have waiting for a worker; more are refused with 429
    /// too_many_queued_scans (one tenant cannot fill the queue for everyone).
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_queued_scans: u32,
    /// Where the bootstrap admin key is written (mode 0600) when stderr is not a
    /// terminal; on a terminal it is printed instead, never logged.
    #[arg(long, value_name = "PATH", default_value = "securebase-admin-key")]
    pub admin_key_file: std::path::PathBuf,
    /// Largest request body in MiB (uploaded snapshots included).
    #[arg(long, value_name = "MIB", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub body_limit_mib: u32,
    /// Largest plugin component a tenant may upload, in MiB (a Python component built
    /// with componentize-py is 18 to 35 MB, a JavaScript one 8 to 13 MB).
    #[arg(long, value_name = "MIB", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub plugin_size_limit_mib: u32,
    /// Largest evidence file of an attestation, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub evidence_size_limit_mib: u32,
    /// How long a web portal session (/ui/) lasts after sign-in, in hours.
    #[arg(long, value_name = "HOURS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=168))]
    pub session_hours: u32,
    /// Mark the portal's cookies Secure even without `X-Forwarded-Proto: https` (set it
    /// when TLS ends in front of the service and the proxy does not say so).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Worker threads for evaluation (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Scans of tenants' accounts go to this AWS-compatible endpoint instead of AWS.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Scan workers in this process (0: leave scans to `securebase worker` processes).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(0..=64))]
    pub workers: u16,
    /// Seconds between looks for due schedules (0: this process queues no scheduled scans).
    #[arg(long, value_name = "SECS", default_value_t = 15)]
    pub schedule_interval: u64,
    /// Send no webhook deliveries from this process: `securebase worker` processes send
    /// them (webhooks can still be set here).
    #[arg(long)]
    pub no_webhook_delivery: bool,
    #[command(flatten)]
    pub jobs: JobArgs,
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// The service's database and who migrates it; the same for `serve`, `worker` and `invoice`.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Database: postgres://USER[:PASSWORD]@HOST[:PORT]/DB, or sqlite:PATH (SQLite: one
    /// process only). Default: sqlite:securebase.db in the working directory.
    #[arg(long, value_name = "URL", env = "SECUREBASE_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// PostgreSQL: apply migrations over this URL (the tables' owner) and serve over
    /// --database-url (ideally the login role securebase_app, which owns nothing).
    #[arg(long, value_name = "URL", env = "SECUREBASE_MIGRATION_DATABASE_URL", hide_env_values = true)]
    pub migration_database_url: Option<String>,
    /// Apply no migration: start only if `securebase migrate` has applied every one of
    /// this release, else stop naming those missing. For deployments that migrate in a
    /// job of their own (the Helm chart), so the service never holds the owner's password.
    #[arg(long, conflicts_with = "migration_database_url")]
    pub no_migrate: bool,
}

/// How scan jobs are shared; the same for `serve` and `worker`.
#[derive(Debug, Args)]
pub struct JobArgs {
    /// Seconds a claimed scan stays with its worker without renewal (renewed every third).
    /// A worker that dies loses its scans this long after; another one resumes them.
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(3..=3600))]
    pub lease_secs: u64,
    /// Scans of one tenant running at once, across all workers.
    #[arg(long, value_name = "N", default_value_t = securebase_store::ClaimLimits::default().per_tenant,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_scans_per_tenant: u32,
    /// Scans running at once, across all workers and tenants.
    #[arg(long, value_name = "N", default_value_t = securebase_store::ClaimLimits::default().global,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_scans: u32,
    /// Workers that may take one scan before it is failed as abandoned.
    #[arg(long, value_name = "N", default_value_t = securebase_store::ClaimLimits::default().max_attempts,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_attempts: u32,
    /// A scan of a tenant's accounts that lists more accounts than this is split into
    /// batches of this many, which any worker claims (with a lease, like a scan),
    /// collects and evaluates; the worker that took the scan scores and stores it once
    /// the last batch is in. 0 never splits (one worker collects every account). A worker
    /// takes its next batch as soon as every account of those in hand is under way and
    /// one of its `--account-slots` is free, so slow accounts do not idle the others.
    #[arg(long, value_name = "N", default_value_t = 25)]
    pub batch_accounts: usize,
    /// Accounts a worker collects at once: within one scan, or across the batches it holds.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub account_slots: u16,
    /// Batches of one tenant's split scans that workers other than their coordinators
    /// run at once while another tenant's scan waits to start (with nobody waiting, every
    /// idle worker helps), so one tenant's large organization never holds every worker.
    #[arg(long, value_name = "N", default_value_t = securebase_store::ClaimLimits::default().batches_per_tenant,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub batches_per_tenant: u32,
    /// Signs webhook deliveries (each webhook's secret derives from it); at least 32
    /// characters, e.g. `openssl rand -hex 32`. Without it webhooks are off.
    #[arg(long, value_name = "KEY", env = "SECUREBASE_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Lets webhooks reach loopback, private and link-local addresses, and over plain
    /// http. For development and tests only: by default a webhook must be an https URL
    /// whose host is (and resolves to) public addresses.
    #[arg(long)]
    pub webhook_allow_private: bool,
    /// Lets tenants list accounts without a role_arn, collected with this process's own
    /// AWS credentials. Only for a single-tenant instance: with several tenants, any of
    /// them could scan whatever those credentials reach. By default every tenant account
    /// names a role, assumed with the tenant's external ID.
    #[arg(long)]
    pub allow_ambient_credentials: bool,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// This worker's name in leases and progress events (default: host:pid).
    #[arg(long, value_name = "NAME")]
    pub id: Option<String>,
    /// Serve /metrics (Prometheus text format), /readyz (the database answers) and
    /// /healthz on this address, e.g. 0.0.0.0:9464. Default: no listener.
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Worker threads for evaluation (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Scans of tenants' accounts go to this AWS-compatible endpoint instead of AWS.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    #[command(flatten)]
    pub jobs: JobArgs,
    #[command(flatten)]
    pub plugins: PluginArgs,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// The accounts file (TOML; format in host/collect/src/accounts.rs and the README).
    #[arg(long, value_name = "FILE")]
    pub accounts: PathBuf,
    /// The snapshot directory to write (one JSON file per account).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also write the IAM actions the collection called to FILE, one per line: compare
    /// them with the read-only role's policy (infra/iam/securebase-readonly-policy.json).
    #[arg(long, value_name = "FILE")]
    pub record_actions: Option<PathBuf>,
    #[command(flatten)]
    pub collection: CollectionArgs,
}

/// How live collection reaches AWS; shared by `collect` and `scan --accounts`.
#[derive(Debug, Args)]
pub struct CollectionArgs {
    /// A local AWS-compatible endpoint (e.g. moto on http://127.0.0.1:5000) instead of AWS.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Where configuration items come from: `direct` (API calls for everything; works
    /// whether or not AWS Config is on), `config` (each account's AWS Config for the types
    /// its recorder records, direct calls for the rest and where it is off), or
    /// `aggregator:NAME@REGION` (an organization-wide Config aggregator, direct calls for
    /// what it does not hold).
    #[arg(long, value_name = "SOURCE", default_value = "direct", value_parser = parse_source)]
    pub source: securebase_collect::Source,
    /// Accounts collected at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Regions of one account collected at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub region_concurrency: u16,
    /// Attempts per API call; throttling, 5xx and timeouts are retried with exponential
    /// backoff and jitter before they become an error entry.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
}

fn parse_source(s: &str) -> Result<securebase_collect::Source, String> {
    s.parse()
}

impl CollectionArgs {
    pub fn options(&self) -> securebase_collect::CollectOptions {
        securebase_collect::CollectOptions {
            endpoint_url: self.endpoint_url.clone(),
            source: self.source.clone(),
            region_concurrency: usize::from(self.region_concurrency),
            max_attempts: self.max_attempts,
            ..Default::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The database, as its tables' owner: postgres://OWNER[:PASSWORD]@HOST[:PORT]/DB or
    /// sqlite:PATH. Default: SECUREBASE_MIGRATION_DATABASE_URL, else
    /// SECUREBASE_DATABASE_URL, else sqlite:securebase.db in the working directory.
    #[arg(long, value_name = "URL", env = "SECUREBASE_MIGRATION_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct InvoiceArgs {
    /// The month, YYYY-MM (UTC); it must be over.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct FrameworkArgs {
    /// Also load a framework definition from this TOML file (repeatable).
    #[arg(long, value_name = "FILE")]
    pub framework_file: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PluginsArgs {
    /// `table`: each plugin and its checks (severity, id, AWS Config rule, title);
    /// `json`: the whole catalogue for tools: every plugin with its checks' id, title,
    /// severity, resource types, rationale, remediation and references.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
    #[command(flatten)]
    pub plugins: PluginArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    /// For people.
    Table,
    /// For tools (one JSON document on stdout).
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// Scores per account and framework, then what failed.
    Table,
    /// The full scan document (schema securebase.scan/v1).
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AllocatorArg {
    /// Pooling if the OS allows its address-space reservation, else on-demand.
    Auto,
    /// Pooling allocator or fail.
    Pooling,
    /// Allocate each instance on demand.
    OnDemand,
}

impl From<AllocatorArg> for AllocatorChoice {
    fn from(a: AllocatorArg) -> Self {
        match a {
            AllocatorArg::Auto => AllocatorChoice::Auto,
            AllocatorArg::Pooling => AllocatorChoice::Pooling,
            AllocatorArg::OnDemand => AllocatorChoice::OnDemand,
        }
    }
}

/// `securebase plugin ...`.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Start a plugin project: the contract, one example check with fixtures, a README.
    ///
    /// Rust projects build with a copy of the SDK written into vendor/; Python and
    /// JavaScript ones get a small helper layer over the generated bindings. Everything
    /// comes from this binary, so it works offline and matches this host's contract.
    New(NewArgs),
    /// Build a project's component into dist/NAME.wasm with its language's toolchain
    /// (cargo, componentize-py, jco), saying what to install when a tool is missing.
    Build(BuildArgs),
    /// What a component is: contract, imports (each allowed or not), exports, checks, size, SHA-256.
    ///
    /// Exit status 0 when the sandbox would load it, 1 when it would refuse it (the reason
    /// is printed), 2 when the file is not a WebAssembly component at all.
    Inspect(InspectArgs),
    /// Run a component's fixtures through the sandbox and compare each resource's status.
    ///
    /// Fixtures are `<check id>/*.json` under FIXTURES: a snapshot account file with an
    /// `expect` object of resource id to pass, fail, not_applicable or error (the format
    /// of the built-in plugins' fixtures). Prints expected against actual per resource, the
    /// fuel used against the limit, wall time and the plugin's log. Exit status 1 on any
    /// mismatch, 2 for unusable input (the message names the file).
    Test(PluginTestArgs),
    /// Run one component alone on an inventory (or the demo): findings, log, fuel and time per account.
    Run(PluginRunArgs),
    /// Make an Ed25519 key pair for signing plugins: KEY (secret, owner-only) and KEY.pub.
    ///
    /// Register the public key with the service (POST /v1/tenants/{id}/signing-keys with
    /// {"public_key": "<contents of KEY.pub>"}); from then on it accepts signed plugins only.
    Keygen(KeygenArgs),
    /// Sign a component: writes the detached signature (base64) to FILE.wasm.sig.
    Sign(SignArgs),
    /// Check a detached signature as the service does. Exit status 1 when it does not verify.
    Verify(VerifyArgs),
    /// Upload a component to the service as a tenant's plugin, with its signature when there is one.
    ///
    /// The API key comes from SECUREBASE_API_KEY (never a flag: flags end up in shell
    /// history). A refusal prints the service's reason and exits 1.
    Push(PushArgs),
    /// Re-run a plugin on the inventory a stored scan evaluated, and compare its findings
    /// with the ones the scan recorded: how a finding an auditor questions is reproduced.
    ///
    /// The scan is a scan document written with `securebase scan --keep-inventory`, or,
    /// with --server, a scan stored by the service (which keeps every scan's inventory;
    /// the API key comes from SECUREBASE_API_KEY). The inventory's SHA-256 must be the one
    /// the document records. PLUGIN is a component file or a built-in plugin's name
    /// (see `securebase plugins`). Exit status 0 when every finding of the plugin's checks
    /// is reproduced, 1 when one differs or the plugin fails, 2 for unusable input.
    Replay(ReplayArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The component.
    pub file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The plugin's name: lower-case letters, digits and '-' (e.g. acme-policy).
    pub name: String,
    /// The language.
    #[arg(long, value_enum)]
    pub lang: LangArg,
    /// Where to create it [default: ./NAME].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Rust,
    Python,
    Js,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The project folder (with securebase-plugin.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct PluginTestArgs {
    /// A project folder (its dist/NAME.wasm and fixtures/) or a component file.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The fixtures folder [default: the project's fixtures/, or the nearest `fixtures`
    /// folder above the component].
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["inventory", "demo"])))]
pub struct PluginRunArgs {
    /// The component.
    pub file: PathBuf,
    /// A snapshot directory (what `securebase collect` writes).
    #[arg(long, value_name = "DIR")]
    pub inventory: Option<PathBuf>,
    /// The bundled demo organization.
    #[arg(long)]
    pub demo: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The secret key file to write; the public key goes to KEY.pub.
    #[arg(long, value_name = "KEY", default_value = "securebase-signing.key")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The component.
    pub file: PathBuf,
    /// The secret key (from `securebase plugin keygen`).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// Where to write the signature [default: FILE.sig].
    #[arg(long, value_name = "SIG")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The component.
    pub file: PathBuf,
    /// The public key (KEY.pub).
    #[arg(long, value_name = "PUB")]
    pub public_key: PathBuf,
    /// The signature [default: FILE.sig].
    #[arg(long, value_name = "SIG")]
    pub signature: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The component.
    pub file: PathBuf,
    /// The service's base URL, e.g. https://securebase.example.com.
    #[arg(long, value_name = "URL", env = "SECUREBASE_SERVER")]
    pub server: String,
    /// The tenant id (t_...).
    #[arg(long, value_name = "ID")]
    pub tenant: String,
    /// The signature to send [default: FILE.sig when it exists].
    #[arg(long, value_name = "SIG")]
    pub signature: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// A component file, or the name of a built-in plugin (e.g. s3).
    pub plugin: String,
    /// A scan document (scan.json), or with --server the scan's id (s_...).
    #[arg(long, value_name = "SCAN")]
    pub scan: String,
    /// Fetch the scan and its inventory from this service instead of a file.
    #[arg(long, value_name = "URL", requires = "tenant")]
    pub server: Option<String>,
    /// The tenant id (t_...), with --server.
    #[arg(long, value_name = "ID", requires = "server")]
    pub tenant: Option<String>,
    /// Only this check's findings.
    #[arg(long, value_name = "ID")]
    pub check: Option<String>,
    /// Only this resource's findings (its id).
    #[arg(long, value_name = "ID")]
    pub resource: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

/// Which plugins to load and the sandbox limits they run under.
#[derive(Debug, Args)]
pub struct PluginArgs {
    /// Load a third-party plugin component (.wasm) in addition to the built-in ones (repeatable).
    #[arg(long, value_name = "FILE")]
    pub plugin: Vec<PathBuf>,
    /// Do not load the built-in plugins (see `securebase plugins`).
    #[arg(long)]
    pub no_builtin_plugins: bool,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

/// The sandbox every plugin call runs under, and where compiled plugins are cached.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Where compiled plugins are cached [default: $XDG_CACHE_HOME/securebase/plugins or ~/.cache/securebase/plugins].
    #[arg(long, value_name = "DIR", env = "SECUREBASE_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile plugins in memory on every run instead of caching them.
    #[arg(long)]
    pub no_cache: bool,
    /// Fuel per plugin call (about one unit per WebAssembly instruction).
    #[arg(long, value_name = "UNITS", default_value_t = Limits::default().fuel, help_heading = "Sandbox limits")]
    pub fuel: u64,
    /// Wall-clock deadline per plugin call, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().timeout.as_secs_f64(), help_heading = "Sandbox limits")]
    pub timeout: f64,
    /// Linear memory per plugin instance, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = Limits::default().memory_bytes >> 20, help_heading = "Sandbox limits")]
    pub memory_mib: usize,
    /// WebAssembly stack, in KiB.
    #[arg(long, value_name = "KIB", default_value_t = Limits::default().stack_bytes >> 10, help_heading = "Sandbox limits")]
    pub stack_kib: usize,
    /// Findings one plugin may return per account.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_findings, help_heading = "Sandbox limits")]
    pub max_findings: usize,
    /// Instance allocation strategy.
    #[arg(long, value_enum, default_value_t = AllocatorArg::Auto, help_heading = "Sandbox limits")]
    pub allocator: AllocatorArg,
}

impl SandboxArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            fuel: self.fuel,
            timeout: Duration::try_from_secs_f64(self.timeout).unwrap_or(Duration::ZERO),
            memory_bytes: self.memory_mib << 20,
            stack_bytes: self.stack_kib << 10,
            max_findings: self.max_findings,
            ..Limits::default()
        }
    }

    pub fn cache_dir(&self) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        self.cache_dir.clone().or_else(|| {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
            Some(base.join("securebase").join("plugins"))
        })
    }
}
