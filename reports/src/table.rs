//! The human-readable summary printed by `securebase scan`: per framework the score and
//! the counts behind it, for the organization and each account, then what failed.

use securebase_runtime::Severity;
use securebase_scan::{FindingEntry, FrameworkResult, ScanReport};
use std::fmt::Write;

fn score(s: Option<f64>) -> String {
    s.map_or_else(|| "n/a".to_string(), |v| format!("{v:.1}%"))
}

fn frameworks_table(out: &mut String, frameworks: &[FrameworkResult]) {
    let width = frameworks.iter().map(|f| f.name.len() + f.version.len() + 1).max().unwrap_or(9).max(9);
    let _ = writeln!(
        out,
        "  {:<width$}  {:>6}  {:>4}  {:>4}  {:>4}  {:>6}  {:>5}  {:>5}",
        "FRAMEWORK", "SCORE", "PASS", "FAIL", "N/A", "MANUAL", "ERROR", "TOTAL"
    );
    for f in frameworks {
        let s = &f.summary;
        let _ = writeln!(
            out,
            "  {:<width$}  {:>6}  {:>4}  {:>4}  {:>4}  {:>6}  {:>5}  {:>5}",
            format!("{} {}", f.name, f.version),
            score(s.score),
            s.passing,
            s.failing,
            s.non_applicable,
            s.manual,
            s.errored,
            s.total_controls
        );
    }
}

fn severity_rank(f: &FindingEntry) -> std::cmp::Reverse<Option<Severity>> {
    std::cmp::Reverse(Severity::parse(&f.severity))
}

/// Renders the report as plain text for a terminal.
pub fn render_table(report: &ScanReport) -> String {
    let mut out = String::new();
    let checks: usize = report.plugins.iter().map(|p| p.checks.len()).sum();
    let _ = writeln!(
        out,
        "SecureBase scan of {}: {} account(s), {} resources, {} plugins, {} checks, {} ms",
        report.source,
        report.organization.accounts,
        report.organization.resources,
        report.plugins.len(),
        checks,
        report.duration_ms
    );
    let _ = writeln!(out, "\nOrganization (a requirement passes only where it passes in every account)");
    frameworks_table(&mut out, &report.organization.frameworks);

    for a in &report.accounts {
        let name = a.account_name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
        let _ = writeln!(out, "\nAccount {}{name}: {} resources, captured {}", a.account_id, a.resources, a.captured_at);
        frameworks_table(&mut out, &a.frameworks);
        let mut failing: Vec<&FindingEntry> = a.findings.iter().filter(|f| f.status == "fail" || f.status == "error").collect();
        failing.sort_by_key(|f| (severity_rank(f), f.check_id.clone(), f.resource_id.clone()));
        if failing.is_empty() {
            let _ = writeln!(out, "  No failing findings.");
        } else {
            let _ = writeln!(out, "  Failing findings ({}):", failing.len());
            for f in failing {
                let label = if f.status == "error" { "ERROR".to_string() } else { f.severity.to_uppercase() };
                let _ = writeln!(out, "    {label:<8} {}  {} [{}]", f.check_id, f.resource_id, f.region);
                let _ = writeln!(out, "             {}", f.message);
            }
        }
    }

    if report.plugin_errors.is_empty() {
        let _ = writeln!(out, "\nPlugin errors: none");
    } else {
        let _ = writeln!(out, "\nPlugin errors ({}): these plugins produced no findings for these accounts", report.plugin_errors.len());
        for e in &report.plugin_errors {
            let _ = writeln!(out, "  {} on {}: {}: {}", e.plugin, e.account_id, e.kind, e.message);
        }
    }
    // Only live scans have any; a snapshot scan's text stays as it was.
    if !report.collection_errors.is_empty() {
        let _ = writeln!(out, "\nCollection errors ({}): checks that read these saw nothing there", report.collection_errors.len());
        for e in &report.collection_errors {
            let _ = writeln!(out, "  {e}");
        }
    }
    out
}
