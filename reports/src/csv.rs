//! Findings as CSV (RFC 4180): one row per finding, every account, a stable column set
//! that spreadsheets and SIEM importers can rely on.

use securebase_scan::ScanReport;

/// The header row, in order.
pub const COLUMNS: [&str; 12] = [
    "account_id",
    "account_name",
    "region",
    "resource_type",
    "resource_id",
    "check_id",
    "check_title",
    "status",
    "severity",
    "message",
    "remediation",
    "exception_id",
];

fn field(s: &str) -> String {
    // Formula injection: a leading =, +, - or @ would run as a formula in a spreadsheet,
    // and so would one after a leading tab or carriage return (OWASP's list).
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// Every finding of the scan as CSV, sorted by account then check then resource.
pub fn render_csv(report: &ScanReport) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for a in &report.accounts {
        for f in &a.findings {
            let row = [
                a.account_id.as_str(),
                a.account_name.as_deref().unwrap_or(""),
                &f.region,
                &f.resource_type,
                &f.resource_id,
                &f.check_id,
                &f.check_title,
                &f.status,
                &f.severity,
                &f.message,
                &f.remediation,
                f.exception_id.as_deref().unwrap_or(""),
            ];
            out.push_str(&row.map(field).join(","));
            out.push_str("\r\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quotes_and_neutralizes_formulas() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(field("\t=1+1"), "'\t=1+1");
        assert_eq!(field("\r=1+1"), "\"'\r=1+1\"");
    }
}
