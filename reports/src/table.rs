//! The human-readable summary printed by `securebase scan`: per framework the score and
//! the counts behind it, for the organization and each account, then what failed.

use securebase_runtime::Severity;
use securebase_scan::{FindingEntry, FrameworkResult, ScanReport};
use std::borrow::Cow;
use std::fmt::Write;

/// Text that came from a plugin, an inventory or AWS, made safe for a terminal: control
/// characters (ESC sequences that clear the screen or move the cursor, CR, newlines that
/// would fake a line of this table) and bidirectional overrides (which reorder what is
/// shown, e.g. `U+202E`) are shown escaped (`\u{1b}`, `\u{202e}`) instead of acting.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if acts(c) { c.escape_default().to_string() } else { c.to_string() }).collect())
}

/// A character that does something to a terminal instead of being shown.
fn acts(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn t(s: &str) -> Cow<'_, str> {
    terminal_safe(s)
}

fn score(s: Option<f64>) -> String {
    s.map_or_else(|| "n/a".to_string(), |v| format!("{v:.1}%"))
}

/// `excepted`: also a column of requirements passing only with exceptions; `attested`:
/// columns of attested requirements and coverage (a scan without either keeps its
/// narrower table).
fn frameworks_table(out: &mut String, frameworks: &[FrameworkResult], excepted: bool, attested: bool) {
    let width = frameworks.iter().map(|f| t(&f.name).len() + t(&f.version).len() + 1).max().unwrap_or(9).max(9);
    let tail = if attested { format!("  {:>8}  {:>8}", "ATTESTED", "COVERAGE") } else { String::new() };
    let extra = if excepted { format!("  {:>9}", "PASS+EXC") } else { String::new() };
    let _ = writeln!(
        out,
        "  {:<width$}  {:>6}  {:>4}{extra}  {:>4}  {:>4}  {:>6}  {:>5}  {:>5}{tail}",
        "FRAMEWORK", "SCORE", "PASS", "FAIL", "N/A", "MANUAL", "ERROR", "TOTAL"
    );
    for f in frameworks {
        let s = &f.summary;
        let extra = if excepted { format!("  {:>9}", s.passing_with_exceptions) } else { String::new() };
        let tail = if attested { format!("  {:>8}  {:>8}", s.attested, score(s.coverage)) } else { String::new() };
        let _ = writeln!(
            out,
            "  {:<width$}  {:>6}  {:>4}{extra}  {:>4}  {:>4}  {:>6}  {:>5}  {:>5}{tail}",
            format!("{} {}", t(&f.name), t(&f.version)),
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
        t(&report.source),
        report.organization.accounts,
        report.organization.resources,
        report.plugins.len(),
        checks,
        report.duration_ms
    );
    let _ = writeln!(out, "\nOrganization (a requirement passes only where it passes in every account)");
    let excepted = !report.exceptions.is_empty();
    if excepted {
        let _ = writeln!(out, "(PASS+EXC: requirements that pass only because their failures are accepted risks; counted in the score)");
    }
    let attested = !report.attestations.is_empty();
    if attested {
        let _ =
            writeln!(out, "(ATTESTED: manual requirements evidenced by a valid attestation; COVERAGE: decided automatically or attested)");
    }
    frameworks_table(&mut out, &report.organization.frameworks, excepted, attested);

    for a in &report.accounts {
        let name = a.account_name.as_deref().map(|n| format!(" ({})", t(n))).unwrap_or_default();
        let _ = writeln!(out, "\nAccount {}{name}: {} resources, captured {}", t(&a.account_id), a.resources, t(&a.captured_at));
        frameworks_table(&mut out, &a.frameworks, excepted, attested);
        let mut failing: Vec<&FindingEntry> = a.findings.iter().filter(|f| f.status == "fail" || f.status == "error").collect();
        failing.sort_by_key(|f| (severity_rank(f), f.check_id.clone(), f.resource_id.clone()));
        if failing.is_empty() {
            let _ = writeln!(out, "  No failing findings.");
        } else {
            let _ = writeln!(out, "  Failing findings ({}):", failing.len());
            for f in failing {
                let label = if f.status == "error" { "ERROR".to_string() } else { t(&f.severity).to_uppercase() };
                let _ = writeln!(out, "    {label:<8} {}  {} [{}]", t(&f.check_id), t(&f.resource_label()), t(&f.region));
                let _ = writeln!(out, "             {}", t(&f.message));
            }
        }
        let accepted: Vec<&FindingEntry> = a.findings.iter().filter(|f| f.status == "excepted").collect();
        if !accepted.is_empty() {
            let _ = writeln!(out, "  Excepted findings ({}): failing, accepted as risks", accepted.len());
            for f in accepted {
                let id = f.exception_id.as_deref().unwrap_or("?");
                let _ =
                    writeln!(out, "    EXCEPTED {}  {} [{}]  exception {}", t(&f.check_id), t(&f.resource_label()), t(&f.region), t(id));
            }
        }
    }
    if excepted {
        let _ = writeln!(out, "\nExceptions ({}):", report.exceptions.len());
        for e in &report.exceptions {
            let x = &e.exception;
            let state = if e.state == "expired" { "EXPIRED, matches nothing" } else { "active" };
            let _ = writeln!(
                out,
                "  {} {} until {} ({state}): {} finding(s); approved by {}: {}",
                t(&x.id),
                t(&x.check),
                t(&x.expires),
                e.matched,
                t(&x.approved_by),
                t(&x.justification)
            );
        }
    }

    if attested {
        let _ = writeln!(out, "\nAttestations ({}):", report.attestations.len());
        for a in &report.attestations {
            let x = &a.attestation;
            let state =
                if a.state == "valid" { String::new() } else { format!(" ({}: the requirement stays manual)", a.state.to_uppercase()) };
            let _ = writeln!(
                out,
                "  {} {} {} valid {} to {}{state}, by {}: {} evidence file(s)",
                t(&x.id),
                t(&x.framework),
                t(&x.requirement),
                t(&x.valid_from),
                t(&x.valid_until),
                t(&x.attested_by),
                x.evidence.len()
            );
        }
    }
    if report.plugin_errors.is_empty() {
        let _ = writeln!(out, "\nPlugin errors: none");
    } else {
        let _ = writeln!(out, "\nPlugin errors ({}): these plugins produced no findings for these accounts", report.plugin_errors.len());
        for e in &report.plugin_errors {
            let _ = writeln!(out, "  {} on {}: {}: {}", t(&e.plugin), t(&e.account_id), t(&e.kind), t(&e.message));
        }
    }
    // Only live scans have any; a snapshot scan's text stays as it was.
    if !report.collection_errors.is_empty() {
        let _ = writeln!(out, "\nCollection errors ({}): checks that read these saw nothing there", report.collection_errors.len());
        for e in &report.collection_errors {
            let _ = writeln!(out, "  {}", t(&e.to_string()));
        }
    }
    out
}
