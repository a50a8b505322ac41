//! Output formats for a [`ScanReport`]: the terminal table and the JSON scan document.
//! (PDF, CSV and OCSF renderers will live here too.)

mod table;

pub use table::render_table;

use securebase_scan::ScanReport;

/// The scan document as pretty-printed JSON.
pub fn render_json(report: &ScanReport) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("the scan document always serializes");
    s.push('\n');
    s
}
