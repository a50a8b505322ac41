//! Output formats for a [`ScanReport`]: the terminal table, the JSON scan document, the
//! PDF compliance report for auditors (with [`seal`], the signature it carries), and CSV
//! and OCSF exports for spreadsheets and SIEMs.

mod csv;
mod ocsf;
pub mod package;
mod pdf;
pub mod seal;
mod table;

pub use csv::{COLUMNS as CSV_COLUMNS, render_csv};
pub use ocsf::{OCSF_VERSION, render_ocsf};
pub use pdf::render_pdf;
pub use table::{render_table, terminal_safe};

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The scan did not score the requested framework.
    #[error("framework `{framework}` was not scored in this scan (scored: {})", scored.join(", "))]
    UnknownFramework {
        /// Requested.
        framework: String,
        /// Available.
        scored: Vec<String>,
    },
}

use securebase_scan::ScanReport;

/// The scan document as pretty-printed JSON.
pub fn render_json(report: &ScanReport) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("the scan document always serializes");
    s.push('\n');
    s
}
