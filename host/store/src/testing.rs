//! Fresh databases for tests: a new SQLite file in a temporary directory, or a new
//! database on the PostgreSQL server named by `SECUREBASE_TEST_POSTGRES_URL` (which
//! `tests/run` starts on loopback). PostgreSQL tests fail, never skip, without it.

use crate::locks::TEST_ROLE_LOGIN;
use crate::{Backend, Store};
use sqlx::{AnyConnection, Connection, Executor};

/// The environment variable naming the test server (a URL to its `postgres` database,
/// as a user that may create databases and roles).
pub const POSTGRES_ENV: &str = "SECUREBASE_TEST_POSTGRES_URL";

/// A fresh store and what keeps it alive.
pub struct TestDb {
    /// The store, migrated.
    pub store: Store,
    /// The owner's URL, for tests that go around the store.
    pub url: String,
    /// The URL the service connects with (PostgreSQL: as `securebase_app`).
    pub service_url: String,
    _dir: Option<tempfile::TempDir>,
}

/// The PostgreSQL test server's URL, or a panic that says how to get one.
pub fn postgres_url() -> String {
    std::env::var(POSTGRES_ENV)
        .unwrap_or_else(|_| panic!("{POSTGRES_ENV} is not set: run the test suite with tests/run, which starts PostgreSQL on loopback"))
}

/// A fresh, migrated store on `backend`.
pub async fn fresh(backend: Backend) -> TestDb {
    upgraded(backend, 0, "").await
}

/// A store on `backend` that an older release created: migrated up to `version` only,
/// `seed` run in it as the owner (rows as that release wrote them), then opened by this
/// release, which applies the remaining migrations as at an upgrade.
pub async fn upgraded(backend: Backend, version: i64, seed: &str) -> TestDb {
    let db = empty(backend).await;
    if version > 0 {
        crate::migrate::run_until(&db.url, backend, version).await.unwrap();
        let mut conn = AnyConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql(seed).execute(&mut conn).await.expect("the seed applies to the older schema");
        conn.close().await.unwrap();
    }
    let store = match backend {
        Backend::Sqlite => Store::open(&db.url).await.unwrap(),
        // Migrate as the owner, then serve as the role that owns nothing, as production should.
        Backend::Postgres => Store::open_with(&db.service_url, Some(&db.url)).await.unwrap(),
    };
    TestDb { store, url: db.url, service_url: db.service_url, _dir: db._dir }
}

/// A database with nothing in it yet, and what keeps it alive.
pub struct EmptyDb {
    /// The owner's URL.
    pub url: String,
    /// The URL the service connects with (PostgreSQL: as the login role `securebase_app`).
    pub service_url: String,
    _dir: Option<tempfile::TempDir>,
}

/// A new, empty database on `backend` (no migration applied). On PostgreSQL the role
/// `securebase_app` exists and may log in, as the deployment's init script leaves it.
pub async fn empty(backend: Backend) -> EmptyDb {
    crate::DRIVERS.call_once(sqlx::any::install_default_drivers);
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("securebase.db");
            // The file must exist before a plain connection opens it.
            std::fs::File::create(&path).unwrap();
            let url = format!("sqlite:{}", path.display());
            EmptyDb { service_url: url.clone(), url, _dir: Some(dir) }
        }
        Backend::Postgres => {
            let server = postgres_url();
            let name = format!("sb_test_{}", crate::hex(&crate::random_bytes::<8>()));
            let mut admin = AnyConnection::connect(&server).await.expect("connect to the PostgreSQL test server");
            admin.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
            // The role is cluster-wide and tests create databases in parallel: two ALTERs
            // of it at once fail ("tuple concurrently updated"), so they take turns, under
            // a lock in the server's own database (advisory locks are per database).
            let mut tx = admin.begin().await.unwrap();
            tx.execute(format!("SELECT pg_advisory_xact_lock({TEST_ROLE_LOGIN})").as_str()).await.unwrap();
            let role = crate::APP_ROLE;
            tx.execute(
                format!(
                    "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role}; END IF; END $$"
                )
                .as_str(),
            )
            .await
            .unwrap();
            tx.execute(format!("ALTER ROLE {role} LOGIN").as_str()).await.unwrap();
            tx.commit().await.unwrap();
            admin.close().await.unwrap();
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            let (scheme, rest) = base.split_once("://").unwrap();
            let host = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
            EmptyDb { url: format!("{base}/{name}"), service_url: format!("{scheme}://{role}@{host}/{name}"), _dir: None }
        }
    }
}

/// Runs each `async fn NAME(backend: Backend)` of the calling test file twice, as the
/// tests `NAME::sqlite` and `NAME::postgres`: one suite, both backends.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name($crate::Backend::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name($crate::Backend::Postgres).await }
        }
    )*};
}
