//! Errors that name the file and the field that is wrong, and what was expected.

use std::path::PathBuf;

/// Why an inventory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// A file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{origin}: not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// The file.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A field is missing or has the wrong type or value.
    #[error("{origin}: field `{field}`: expected {expected}, found {found}")]
    Field {
        /// The file.
        origin: String,
        /// A path into the document, e.g. `configurationItems[3].resourceType`.
        field: String,
        /// What would have been valid.
        expected: String,
        /// What was there.
        found: String,
    },
    /// An item belongs to another account than the file's.
    #[error("{origin}: {resource} belongs to account {item_account}, but the file is for account {account}")]
    ForeignItem {
        /// The file.
        origin: String,
        /// `TYPE ID`.
        resource: String,
        /// The item's account.
        item_account: String,
        /// The file's account.
        account: String,
    },
    /// The same resource appears twice.
    #[error("{origin}: duplicate resource {resource}")]
    Duplicate {
        /// The file.
        origin: String,
        /// `TYPE ID`.
        resource: String,
    },
    /// Two files describe the same account.
    #[error("account {account} appears in both {first} and {second}")]
    DuplicateAccount {
        /// The account.
        account: String,
        /// One file.
        first: String,
        /// The other.
        second: String,
    },
    /// A snapshot directory without account files.
    #[error("{dir}: no account files (*.json) found; see host/inventory/README.md for the snapshot format")]
    Empty {
        /// The directory.
        dir: PathBuf,
    },
}

impl InventoryError {
    pub(crate) fn field(origin: &str, field: impl Into<String>, expected: impl Into<String>, found: impl std::fmt::Display) -> Self {
        let mut found = found.to_string();
        if found.len() > 80 {
            let cut = (0..=77).rev().find(|&i| found.is_char_boundary(i)).unwrap_or(0);
            found.truncate(cut);
            found.push_str("...");
        }
        InventoryError::Field { origin: origin.to_string(), field: field.into(), expected: expected.into(), found }
    }
}
