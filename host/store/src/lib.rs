//! Tenant storage for the SecureBase service: tenants, API keys, scans and their
//! findings, tenants' own plugins and frameworks, and the append-only audit log.
//!
//! One interface, two backends behind sqlx's `Any` driver: PostgreSQL for production
//! and an embedded SQLite file as the default. The SQL is shared (`$N` placeholders,
//! `TEXT`/`BIGINT` columns); only the migrations differ. On PostgreSQL every table a
//! tenant owns has forced row-level security, the pool runs as `securebase_app` (which
//! owns nothing), and every operation runs in a transaction bound to its tenant
//! ([`Store::tenant_transaction`]), so a query that forgets its tenant filter still
//! sees one tenant only. Timestamps are RFC 3339 text, ids random text.

/// Runs `$body` in a transaction bound to `$scope` ([`Store::tenant_transaction`]) and
/// commits it; the body's value is the macro's:
/// `let row = in_scope!(self, &Scope::Worker, |tx| { ... });`.
///
/// The body reads like a closure but is not one: `tx` is the transaction itself (so
/// `&mut *tx` is its connection), and a `?` or `return` in it leaves the enclosing
/// method without committing; the transaction is dropped, which rolls it back.
///
/// A macro rather than a method taking an async closure: a future that holds the future
/// of a generic `AsyncFnOnce(&mut Transaction<'static, Any>)` can fail the `Send` check
/// ("implementation of `AsyncFnOnce` is not general enough", rust-lang/rust#126350), and
/// the API's handlers and the workers' tasks need every future of the store to be `Send`.
/// Defined before the modules, which see it by textual scope.
macro_rules! in_scope {
    ($store:expr, $scope:expr, |$tx:ident| $body:expr) => {{
        let mut $tx = $store.tenant_transaction($scope).await?;
        let value = $body;
        $tx.commit().await?;
        value
    }};
}

/// [`in_scope!`] for a change a request asked for. The body evaluates to `(value,
/// changed)`; when it changed something, the request's pending record (audit entry and
/// usage events, see [`audit::recording`]) is written in the same transaction before
/// the commit, so a change is never without its record nor a record without its change.
/// `$tenant` names the tenant of the change where the request could not.
macro_rules! in_change {
    ($store:expr, $scope:expr, $tenant:expr, |$tx:ident| $body:expr) => {
        in_change!($store, $scope, $tenant, None, |$tx| $body)
    };
    ($store:expr, $scope:expr, $tenant:expr, $tier:expr, |$tx:ident| $body:expr) => {{
        let mut $tx = $store.tenant_transaction($scope).await?;
        let (value, changed): (_, bool) = $body;
        let record = if changed { crate::audit::write_record(&mut $tx, $store.backend, $tenant, $tier).await? } else { None };
        $tx.commit().await?;
        crate::audit::mark_written(record);
        value
    }};
}

mod attestations;
mod audit;
mod batches;
mod error;
mod events;
mod exceptions;
mod extensions;
mod jobs;
mod keys;
mod locks;
mod migrate;
mod scans;
mod schedules;
mod sessions;
mod tenants;
#[cfg(feature = "testing")]
pub mod testing;
mod usage;
mod webhooks;

pub use attestations::AttestationRow;
pub use audit::{AuditEntry, AuditRecord, RequestRecord, UsageFor, recording};
pub use batches::{Batch, BatchProgress, BatchRow};
pub use error::StoreError;
pub use events::ScanEvent;
pub use exceptions::{ExceptionChange, ExceptionRow};
pub use extensions::{FrameworkRow, NewFramework, NewPlugin, PluginRow, PluginUpload, SigningKey, to_run as plugins_to_run};
pub use jobs::{ClaimLimits, Job, JobOutcome, NewScan, snapshot_scope};
pub use keys::{AdminRevoke, AuditWindow, KeyInfo, KeyKind, KeyScope, NewKey, Principal};
pub use migrate::{Applied as AppliedMigration, latest as schema_version};
pub use scans::{FindingFilter, FindingRow, ScanDigest, ScanRow, ScanStatus, ScoreHistoryEntry};
pub use schedules::Schedule;
pub use sessions::NewSession;
pub use tenants::{NewTenant, Tenant, TenantAccount, TenantPatch, Tier};
pub use usage::{BillingSubject, IssuedInvoice, RequestRecords, UsageEvent, UsageRow};
pub use webhooks::{Delivery, Notification, Webhook};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::sync::Once;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server, with row-level security.
    Postgres,
}

impl Backend {
    /// The backend a database URL names.
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(StoreError::Config(format!("unsupported database URL {}: expected postgres://... or sqlite:PATH", redact_url(url))))
        }
    }
}

/// The role the service acts as on PostgreSQL: owns no table, so RLS applies to it.
pub const APP_ROLE: &str = "securebase_app";

/// A page request: `skip` items, then at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Items to skip.
    pub skip: u64,
    /// Items to return at most.
    pub limit: u64,
}

/// A page of results and the total across all pages.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Paged<T> {
    /// This page.
    pub items: Vec<T>,
    /// Items across all pages.
    pub total: u64,
    /// As requested.
    pub skip: u64,
    /// As requested.
    pub limit: u64,
}

/// Who a transaction acts for; on PostgreSQL this is what row-level security sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Operator: manages tenants and keys, reads every tenant's audit log.
    Admin,
    /// One tenant's data and nothing else.
    Tenant(String),
    /// Only the API key with this id (authentication, before the tenant is known).
    Key(String),
    /// A scan worker or scheduler: sees scans, schedules and webhook deliveries of every
    /// tenant (to claim them), nothing else; the work itself runs bound to one tenant.
    Worker,
}

/// The store: a connection pool and the backend it talks to.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

static DRIVERS: Once = Once::new();

impl Store {
    /// Connects to `url` (`postgres://...` or `sqlite:PATH`), applies pending
    /// migrations over it, and opens the pool. A SQLite file is created if missing.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, None).await
    }

    /// Like [`Store::open`], with migrations applied over `migration_url` (the tables'
    /// owner) while the service connects with `url`, ideally as the login role
    /// `securebase_app`, so that no `RESET ROLE` can lead back to the owner.
    pub async fn open_with(url: &str, migration_url: Option<&str>) -> Result<Self, StoreError> {
        let (url, backend) = Self::prepare(url)?;
        let migration_url = match migration_url {
            Some(m) => Self::prepare(m)?.0,
            None => url.clone(),
        };
        if Backend::of_url(&migration_url)? != backend {
            return Err(StoreError::Config("the migration URL names another kind of database than the service URL".into()));
        }
        migrate::run(&migration_url, backend).await?;
        Self::connect(&url, backend).await
    }

    /// Like [`Store::open`], but applies no migration: the database must already hold
    /// every migration of this release ([`StoreError::NotMigrated`] otherwise). For
    /// deployments where a job migrates as the owner before the service starts, so the
    /// service never holds the owner's credentials. A newer release's extra migrations
    /// are tolerated, as during a rolling upgrade.
    pub async fn open_migrated(url: &str) -> Result<Self, StoreError> {
        let (url, backend) = Self::prepare(url)?;
        let store = Self::connect(&url, backend).await?;
        let mut conn = store.pool.acquire().await?;
        let (missing, current) = migrate::missing(&mut conn, backend).await?;
        drop(conn);
        if !missing.is_empty() {
            store.close().await;
            let missing = missing.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            return Err(StoreError::NotMigrated { current, missing });
        }
        Ok(store)
    }

    /// Applies the pending migrations over `url` (the tables' owner) and returns those
    /// applied now: none when the schema was already this release's.
    pub async fn migrate(url: &str) -> Result<Vec<AppliedMigration>, StoreError> {
        let (url, backend) = Self::prepare(url)?;
        migrate::run(&url, backend).await
    }

    /// The URL as connected to (SQLite: created if missing, owner-only), and its backend.
    fn prepare(url: &str) -> Result<(String, Backend), StoreError> {
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = Backend::of_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_string(),
        };
        if backend == Backend::Sqlite {
            create_private(&url)?;
        }
        Ok((url, backend))
    }

    /// Opens the service's pool over `url`, every connection bound to the role that owns nothing.
    async fn connect(url: &str, backend: Backend) -> Result<Self, StoreError> {
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 16 })
            // No ping before each checkout (a round-trip per transaction): a connection
            // the server dropped fails its first statement instead, and is discarded.
            .test_before_acquire(false)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    match backend {
                        // Whatever the login role, statements run as the role that owns nothing.
                        Backend::Postgres => {
                            conn.execute(format!("SET ROLE {APP_ROLE}").as_str()).await?;
                        }
                        Backend::Sqlite => {
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|e| StoreError::Connect { url: redact_url(url), source: e })?;
        let store = Self { pool, backend };
        if backend == Backend::Postgres {
            let mut tx = store.pool.begin().await?;
            let session: String = sqlx::query_scalar("SELECT session_user::text").fetch_one(&mut *tx).await?;
            tx.commit().await?;
            if session != APP_ROLE {
                tracing::warn!(
                    login = %session,
                    "the service logs in as {session}, not {APP_ROLE}: row-level security binds every statement it \
                     makes, but the login role could leave {APP_ROLE} with RESET ROLE; give the service its own \
                     login (ALTER ROLE {APP_ROLE} LOGIN PASSWORD ...) and pass the owner's URL for migrations only"
                );
            }
        }
        Ok(store)
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Begins a transaction bound to `scope`. On PostgreSQL the binding is what
    /// row-level security checks, for every statement run in it; on SQLite it is
    /// the caller's duty to filter. Tests use this to prove the isolation holds for
    /// queries that carry no filter at all.
    pub async fn tenant_transaction(&self, scope: &Scope) -> Result<Transaction<'static, Any>, StoreError> {
        if self.backend != Backend::Postgres {
            // SQLite: every transaction takes the write lock at BEGIN. A deferred one that
            // reads and then writes gets SQLITE_BUSY at once, without the busy timeout,
            // when another connection is writing meanwhile (SQLite's deadlock avoidance),
            // e.g. a worker renewing its lease while a request records an exception;
            // IMMEDIATE makes it wait its turn instead. Read-only transactions queue too,
            // which the single-node default can afford.
            return Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?);
        }
        let (admin, tenant, key, worker) = match scope {
            Scope::Admin => ("on", "", "", "off"),
            Scope::Tenant(t) => ("off", t.as_str(), "", "off"),
            Scope::Key(k) => ("off", "", k.as_str(), "off"),
            Scope::Worker => ("off", "", "", "on"),
        };
        // The binding travels with BEGIN, in one round-trip instead of two. Its values
        // are then SQL literals, so only ids of the generated alphabet take this way.
        let plain = |v: &str| v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if plain(tenant) && plain(key) {
            let begin = format!(
                "BEGIN; SELECT set_config('securebase.admin', '{admin}', true), set_config('securebase.tenant_id', '{tenant}', true), \
                 set_config('securebase.key_id', '{key}', true), set_config('securebase.worker', '{worker}', true)"
            );
            return Ok(self.pool.begin_with(begin).await?);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "SELECT set_config('securebase.admin', $1, true), set_config('securebase.tenant_id', $2, true), \
             set_config('securebase.key_id', $3, true), set_config('securebase.worker', $4, true)",
        )
        .bind(admin)
        .bind(tenant)
        .bind(key)
        .bind(worker)
        .execute(&mut *tx)
        .await?;
        Ok(tx)
    }
}

impl Store {
    /// Narrows a transaction bound to an API key to the key's tenant (PostgreSQL).
    pub(crate) async fn bind_tenant(&self, tx: &mut Transaction<'static, Any>, tenant: &str) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT set_config('securebase.tenant_id', $1, true), set_config('securebase.key_id', '', true)")
                .bind(tenant)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}

/// A URL with any password replaced, for errors and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A random id: `prefix` and 20 hex digits (80 bits).
pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", hex(&random_bytes::<10>()))
}

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    b
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Now, RFC 3339 with microseconds: text that sorts in time order, on both backends.
pub(crate) fn now() -> String {
    timestamp(std::time::SystemTime::now())
}

/// Now by the database's clock on PostgreSQL (workers on many machines judge leases by
/// one clock, whatever their own say), by this machine's on SQLite (one machine anyway).
pub(crate) async fn db_now(tx: &mut Transaction<'static, Any>, backend: Backend) -> Result<std::time::SystemTime, StoreError> {
    if backend == Backend::Sqlite {
        return Ok(std::time::SystemTime::now());
    }
    let micros: i64 =
        sqlx::query_scalar("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)").fetch_one(&mut **tx).await?;
    Ok(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_micros(micros.max(0) as u64))
}

/// A point in time as [`now`] writes it.
pub fn timestamp(at: std::time::SystemTime) -> String {
    let t = at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let whole = securebase_inventory::time::format_rfc3339(t.as_secs() as i64);
    format!("{}.{:06}Z", whole.trim_end_matches('Z'), t.subsec_micros())
}

/// Creates a new SQLite database file readable and writable by its owner only: it holds
/// every tenant's findings, and SQLite would otherwise create it with the process's
/// umask (often world-readable). Its journal files take the same mode. An existing
/// file is left as its operator made it.
fn create_private(url: &str) -> Result<(), StoreError> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || std::path::Path::new(path).exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Config(format!("cannot create the database file {path}: {e}"))),
    }
}

/// Reads a column, naming it in the error.
pub(crate) fn col<T>(row: &AnyRow, name: &str) -> Result<T, StoreError>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    use sqlx::Row;
    row.try_get(name).map_err(|e| StoreError::Corrupt(format!("column {name}: {e}")))
}

/// Parses a stored enum-like text column.
pub(crate) fn parse_col<T: FromStr>(row: &AnyRow, name: &str) -> Result<T, StoreError> {
    let s: String = col(row, name)?;
    s.parse().map_err(|_| StoreError::Corrupt(format!("column {name}: unexpected value {s:?}")))
}

/// Counts rows of a query whose only column is `COUNT(*)`.
pub(crate) fn count(row: &AnyRow) -> Result<u64, StoreError> {
    use sqlx::Row;
    let n: i64 = row.try_get(0).map_err(|e| StoreError::Corrupt(format!("count: {e}")))?;
    Ok(n.max(0) as u64)
}

/// Clamps a page to what SQL accepts.
pub(crate) fn page_args(page: Page) -> (i64, i64) {
    (page.limit.min(i64::MAX as u64) as i64, page.skip.min(i64::MAX as u64) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted_and_classified() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/sb"), "postgres://app:***@db:5432/sb");
        assert_eq!(redact_url("postgres://app@db/sb"), "postgres://app@db/sb");
        assert_eq!(Backend::of_url("sqlite:data.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of_url("postgresql://x/y").unwrap(), Backend::Postgres);
        let e = Backend::of_url("mysql://u:pw@h/db").unwrap_err().to_string();
        assert!(e.contains("mysql://u:***@h/db") && !e.contains("pw"), "{e}");
    }

    #[test]
    fn ids_are_random_and_prefixed() {
        let (a, b) = (new_id("t_"), new_id("t_"));
        assert!(a.starts_with("t_") && a.len() == 22 && a != b);
    }
}
