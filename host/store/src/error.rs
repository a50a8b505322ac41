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
    /// Stored data the code cannot read back.
    #[error("unreadable stored data: {0}")]
    Corrupt(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}
