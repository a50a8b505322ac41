//! Schema migrations: SQL files in `host/store/migrations/<backend>/`, embedded in the
//! binary and applied in order at start-up, each in its own transaction.

use crate::{Backend, StoreError, now};
use sqlx::{AnyConnection, Connection, Executor, Row};

struct Migration {
    version: i64,
    name: &'static str,
    postgres: &'static str,
    sqlite: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "metering",
        postgres: include_str!("../migrations/postgres/0002_metering.sql"),
        sqlite: include_str!("../migrations/sqlite/0002_metering.sql"),
    },
    Migration {
        version: 3,
        name: "severity_order",
        postgres: include_str!("../migrations/postgres/0003_severity_order.sql"),
        sqlite: include_str!("../migrations/sqlite/0003_severity_order.sql"),
    },
    Migration {
        version: 4,
        name: "jobs",
        postgres: include_str!("../migrations/postgres/0004_jobs.sql"),
        sqlite: include_str!("../migrations/sqlite/0004_jobs.sql"),
    },
    Migration {
        version: 5,
        name: "hardening",
        postgres: include_str!("../migrations/postgres/0005_hardening.sql"),
        sqlite: include_str!("../migrations/sqlite/0005_hardening.sql"),
    },
    Migration {
        version: 6,
        name: "tenant_extensions",
        postgres: include_str!("../migrations/postgres/0006_tenant_extensions.sql"),
        sqlite: include_str!("../migrations/sqlite/0006_tenant_extensions.sql"),
    },
    Migration {
        version: 7,
        name: "kept_inventory",
        postgres: include_str!("../migrations/postgres/0007_kept_inventory.sql"),
        sqlite: include_str!("../migrations/sqlite/0007_kept_inventory.sql"),
    },
    Migration {
        version: 8,
        name: "exceptions",
        postgres: include_str!("../migrations/postgres/0008_exceptions.sql"),
        sqlite: include_str!("../migrations/sqlite/0008_exceptions.sql"),
    },
    Migration {
        version: 9,
        name: "attestations",
        postgres: include_str!("../migrations/postgres/0009_attestations.sql"),
        sqlite: include_str!("../migrations/sqlite/0009_attestations.sql"),
    },
    Migration {
        version: 10,
        name: "audit_windows",
        postgres: include_str!("../migrations/postgres/0010_audit_windows.sql"),
        sqlite: include_str!("../migrations/sqlite/0010_audit_windows.sql"),
    },
    Migration {
        version: 11,
        name: "portal_sessions",
        postgres: include_str!("../migrations/postgres/0011_portal_sessions.sql"),
        sqlite: include_str!("../migrations/sqlite/0011_portal_sessions.sql"),
    },
    Migration {
        version: 12,
        name: "scan_documents",
        postgres: include_str!("../migrations/postgres/0012_scan_documents.sql"),
        sqlite: include_str!("../migrations/sqlite/0012_scan_documents.sql"),
    },
    Migration {
        version: 13,
        name: "severity_order_unfiltered",
        postgres: include_str!("../migrations/postgres/0013_severity_order_unfiltered.sql"),
        sqlite: include_str!("../migrations/sqlite/0013_severity_order_unfiltered.sql"),
    },
    Migration {
        version: 14,
        name: "resource_names",
        postgres: include_str!("../migrations/postgres/0014_resource_names.sql"),
        sqlite: include_str!("../migrations/sqlite/0014_resource_names.sql"),
    },
    Migration {
        version: 15,
        name: "scan_batches",
        postgres: include_str!("../migrations/postgres/0015_scan_batches.sql"),
        sqlite: include_str!("../migrations/sqlite/0015_scan_batches.sql"),
    },
];

/// A migration, as reported to whoever applied it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// Its number.
    pub version: i64,
    /// Its name.
    pub name: &'static str,
}

/// The schema version this release expects: its last migration's.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Applies pending migrations over a connection of the URL's own user (the owner), and
/// returns those it applied (none when another process had applied them).
pub(crate) async fn run(url: &str, backend: Backend) -> Result<Vec<Applied>, StoreError> {
    run_until(url, backend, i64::MAX).await
}

/// The versions of this release missing from the database behind `conn`, and the
/// highest one it has: read as the service's role, which may read the table but not
/// create it.
pub(crate) async fn missing(conn: &mut AnyConnection, backend: Backend) -> Result<(Vec<i64>, i64), StoreError> {
    let exists = match backend {
        Backend::Postgres => {
            "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = 'securebase_migrations' AND schemaname = current_schema()"
        }
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'securebase_migrations'",
    };
    let have: Vec<i64> = if sqlx::query(exists).fetch_one(&mut *conn).await?.try_get::<i64, _>(0)? > 0 {
        sqlx::query("SELECT version FROM securebase_migrations")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let missing = MIGRATIONS.iter().map(|m| m.version).filter(|v| !have.contains(v)).collect();
    Ok((missing, have.iter().copied().max().unwrap_or(0)))
}

/// Applies pending migrations up to `last` (an older release's schema, for upgrade tests).
pub(crate) async fn run_until(url: &str, backend: Backend, last: i64) -> Result<Vec<Applied>, StoreError> {
    let mut conn = AnyConnection::connect(url).await.map_err(|e| StoreError::Connect { url: crate::redact_url(url), source: e })?;
    conn.execute(
        "CREATE TABLE IF NOT EXISTS securebase_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .await?;
    let mut applied_now = Vec::new();
    for m in MIGRATIONS.iter().take_while(|m| m.version <= last) {
        let mut tx = conn.begin().await?;
        if backend == Backend::Postgres {
            // Two services starting at once: the second waits, then finds it applied.
            tx.execute("LOCK TABLE securebase_migrations IN EXCLUSIVE MODE").await?;
        }
        let applied =
            sqlx::query("SELECT COUNT(*) FROM securebase_migrations WHERE version = $1").bind(m.version).fetch_one(&mut *tx).await?;
        if applied.try_get::<i64, _>(0)? > 0 {
            continue;
        }
        let sql = match backend {
            Backend::Postgres => m.postgres,
            Backend::Sqlite => m.sqlite,
        };
        let fail = |e| StoreError::Migration { version: m.version, name: m.name.into(), source: e };
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(fail)?;
        sqlx::query("INSERT INTO securebase_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        applied_now.push(Applied { version: m.version, name: m.name });
    }
    conn.close().await?;
    Ok(applied_now)
}
