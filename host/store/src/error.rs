//! What can go wrong in the store.

use thiserror::Error;

/// A storage failure.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A bad database option.
    #[error("{0}")]
    Config(String),
    /// The database could not be reached.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The URL, password redacted.
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        /// Its number.
        version: i64,
        /// Its name.
        name: String,
        /// Why.
        source: sqlx::Error,
    },
    /// The database lacks migrations of this release, and the store was told not to
    /// apply them (the deployment migrates first, as the tables' owner).
    #[error(
        "the database's schema is at version {current}, this release needs migration(s) {missing}: apply them first \
         (`securebase migrate` over the owner's URL)"
    )]
    NotMigrated {
        /// The highest version applied (0: none).
        current: i64,
        /// The versions this release needs and the database lacks, e.g. "12, 13".
        missing: String,
    },
    /// A record written in a batch whose transaction failed (see `Store::record_requests`).
    #[error("recording failed: {0}")]
    Batch(String),
    /// Stored data the code cannot read back.
    #[error("unreadable stored data: {0}")]
    Corrupt(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}
