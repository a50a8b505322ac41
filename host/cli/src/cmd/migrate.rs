//! `securebase migrate`: apply the database's pending schema migrations as the tables'
//! owner and exit, for deployments whose services start with --no-migrate.

use super::common::DEFAULT_DATABASE;
use crate::EXIT_OK;
use crate::args::MigrateArgs;
use anyhow::{Context, Result};

pub(crate) fn run(args: &MigrateArgs) -> Result<u8> {
    // The owner's URL, else the one the services use (a single-login deployment).
    let url = args.database_url.clone().or_else(|| std::env::var("SECUREBASE_DATABASE_URL").ok()).unwrap_or(DEFAULT_DATABASE.into());
    let shown = securebase_store::redact_url(&url);
    let applied = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(securebase_store::Store::migrate(&url))
        .with_context(|| format!("migrating the database {shown}"))?;
    let version = securebase_store::schema_version();
    if applied.is_empty() {
        eprintln!("{shown}: nothing to apply, every migration of this release (up to {version}) is applied already.");
    } else {
        for m in &applied {
            println!("applied {:>4} {}", m.version, m.name);
        }
        eprintln!("{shown}: {} migration(s) applied, the schema is at version {version}.", applied.len());
    }
    Ok(EXIT_OK)
}
