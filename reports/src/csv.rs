//! Findings as CSV (RFC 4180): one row per finding, every account, a stable column set
//! that spreadsheets and SIEM importers can rely on (new columns are appended); then one
//! row per requirement a valid attestation covers (`resource_type` `requirement`, `status`
//! `attested`, who and what in `message`), so the auditor's spreadsheet holds both kinds
//! of evidence.

use securebase_scan::ScanReport;

/// The header row, in order.
pub const COLUMNS: [&str; 14] = [
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
    // Added after the first release: appended, so importers that read by position keep working.
    "resource_name",
    "resource_arn",
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
                f.resource_name.as_deref().unwrap_or(""),
                f.resource_arn.as_deref().unwrap_or(""),
            ];
            out.push_str(&row.map(field).join(","));
            out.push_str("\r\n");
        }
    }
    for (a, fw) in valid_attestations(report) {
        let message = format!("Attested {}", attestation_detail(a));
        let resource = format!("{}:{}", a.framework, a.requirement);
        let title = format!("{} {}", fw.name, a.requirement);
        let row = ["", "", "", "requirement", &resource, "", &title, "attested", "", &message, "", "", "", ""];
        out.push_str(&row.map(field).join(","));
        out.push_str("\r\n");
    }
    out
}

/// Who attested what and until when, with each evidence file's SHA-256:
/// `by WHO, valid FROM to UNTIL: STATEMENT Evidence: NAME (SHA-256 HEX); ...`.
pub(crate) fn attestation_detail(a: &securebase_attestations::Attestation) -> String {
    let evidence: Vec<String> = a.evidence.iter().map(|e| format!("{} (SHA-256 {})", e.name, e.sha256)).collect();
    let evidence = if evidence.is_empty() { String::new() } else { format!(" Evidence: {}", evidence.join("; ")) };
    format!("by {}, valid {} to {}: {}{evidence}", a.attested_by, a.valid_from, a.valid_until, a.statement)
}

/// The attestations the scan found valid, with their framework (of those it scored).
pub(crate) fn valid_attestations(
    report: &ScanReport,
) -> impl Iterator<Item = (&securebase_attestations::Attestation, &securebase_scan::FrameworkEntry)> {
    report
        .attestations
        .iter()
        .filter(|e| e.state == securebase_attestations::Validity::Valid.as_str())
        .filter_map(|e| report.frameworks.iter().find(|f| f.id == e.attestation.framework).map(|fw| (&e.attestation, fw)))
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
