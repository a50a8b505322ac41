//! The PDF compliance report for one framework of one scan, for auditors: cover,
//! executive summary with charts, the requirement matrix, failing findings grouped by
//! requirement with remediation, the exceptions (accepted risks) applied, the
//! attestations and their evidence, the manual requirements left to evidence, and an
//! appendix stating how the scan was made.

mod layout;
mod metrics;

use crate::ReportError;
use layout::{BLACK, Cell, Column, GREY, LEFT, Layout, RIGHT, Rgbf};
use securebase_scan::{FindingEntry, FrameworkResult, ScanReport};
use std::collections::BTreeMap;

const GREEN: Rgbf = (0.13, 0.55, 0.27);
const RED: Rgbf = (0.78, 0.16, 0.16);
const AMBER: Rgbf = (0.85, 0.5, 0.05);
const BLUE: Rgbf = (0.2, 0.35, 0.7);
const TEAL: Rgbf = (0.05, 0.45, 0.5);
const PURPLE: Rgbf = (0.45, 0.25, 0.6);

fn status_label(status: &str) -> (&'static str, Rgbf) {
    match status {
        "pass" => ("Pass", GREEN),
        "fail" => ("Fail", RED),
        "not_applicable" => ("Not applicable", GREY),
        "manual" => ("Manual", BLUE),
        "passing_with_exceptions" => ("Pass (exceptions)", TEAL),
        "attested" => ("Attested", PURPLE),
        _ => ("Not evaluated", AMBER),
    }
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "n/a".into(), |s| format!("{s:.1}%"))
}

/// Renders the PDF report for `framework` (an id scored in the scan).
pub fn render_pdf(report: &ScanReport, framework: &str, organization: Option<&str>) -> Result<Vec<u8>, ReportError> {
    let org = report.organization.frameworks.iter().find(|f| f.framework == framework).ok_or_else(|| ReportError::UnknownFramework {
        framework: framework.to_string(),
        scored: report.organization.frameworks.iter().map(|f| f.framework.clone()).collect(),
    })?;
    let organization = organization.map(str::to_string).unwrap_or_else(|| report.source.clone());
    let title = format!("{} {}", org.name, org.version);
    let mut l = Layout::new(&format!("SecureBase compliance report  |  {organization}  |  {title}"));

    cover(&mut l, report, org, &organization, &title);
    l.new_page();
    summary(&mut l, report, org);
    l.new_page();
    matrix(&mut l, org);
    failing(&mut l, report, org);
    exceptions(&mut l, report, org);
    attestations(&mut l, report, framework);
    manual(&mut l, org);
    appendix(&mut l, report, framework);
    Ok(l.finish(&format!("Compliance report: {title}")))
}

fn cover(l: &mut Layout, report: &ScanReport, org: &FrameworkResult, organization: &str, title: &str) {
    l.space(80.0);
    l.paragraph(LEFT, RIGHT - LEFT, "Compliance Report", 30.0, true, BLACK);
    l.space(10.0);
    l.paragraph(LEFT, RIGHT - LEFT, title, 16.0, false, BLACK);
    l.space(30.0);
    let s = &org.summary;
    let decided = s.passing + s.passing_with_exceptions + s.failing + s.errored;
    let with =
        if s.passing_with_exceptions > 0 { format!(", {} of them only with exceptions", s.passing_with_exceptions) } else { String::new() };
    let facts = [
        ("Organization", organization.to_string()),
        ("Framework", title.to_string()),
        ("Scan started", report.started_at.clone()),
        ("Accounts in scope", report.organization.accounts.to_string()),
        ("Resources evaluated", report.organization.resources.to_string()),
        ("Attestations cover", attestation_period(report, &org.framework)),
        (
            "Overall score",
            format!("{}  ({} of {decided} decided requirements pass{with})", score_text(s.score), s.passing + s.passing_with_exceptions),
        ),
    ];
    for (k, v) in facts {
        l.ensure(16.0);
        l.space(16.0);
        let y = l.y();
        l.text_at(LEFT, y, k, 11.0, true, BLACK);
        l.text_at(LEFT + 140.0, y, &v, 11.0, false, BLACK);
    }
    l.space(20.0);
    if report.organization.resources == 0 {
        l.paragraph(
            LEFT,
            RIGHT - LEFT,
            "No resources were scanned: the inventory is empty, so no automated requirement could be decided.",
            11.0,
            true,
            RED,
        );
        l.space(10.0);
    }
    l.paragraph(LEFT, RIGHT - LEFT, "Accounts in scope", 12.0, true, BLACK);
    for a in &report.accounts {
        let name = a.account_name.as_deref().unwrap_or("");
        let score = a.frameworks.iter().find(|f| f.framework == org.framework).map(|f| score_text(f.summary.score)).unwrap_or_default();
        let line = format!("{}  {name}  ({} resources, captured {}, score {score})", a.account_id, a.resources, a.captured_at);
        l.paragraph(LEFT + 10.0, RIGHT - LEFT - 10.0, &line, 10.0, false, BLACK);
    }
}

fn bar(l: &mut Layout, label: &str, value_text: &str, fraction: f32, color: Rgbf) {
    l.ensure(18.0);
    l.space(18.0);
    let y = l.y();
    l.text_at(LEFT, y, label, 9.0, false, BLACK);
    let (x, w) = (LEFT + 210.0, 200.0);
    l.rect(x, y + 9.0, w, 10.0, (0.92, 0.92, 0.94));
    l.rect(x, y + 9.0, (w * fraction.clamp(0.0, 1.0)).max(0.5), 10.0, color);
    l.text_at(x + w + 8.0, y, value_text, 9.0, true, BLACK);
}

fn summary(l: &mut Layout, report: &ScanReport, org: &FrameworkResult) {
    l.heading("Executive summary", 18.0);
    let s = &org.summary;
    l.paragraph(
        LEFT,
        RIGHT - LEFT,
        &format!(
            "Score {}: {} passing of {} decided requirements (pass, fail, or not evaluated), {} of them passing only because their failures are accepted risks (exceptions, listed below). A requirement passes for the organization only where it passes in every account; manual requirements are never counted as passing.",
            score_text(s.score),
            s.passing + s.passing_with_exceptions,
            s.passing + s.passing_with_exceptions + s.failing + s.errored,
            s.passing_with_exceptions
        ),
        10.5,
        false,
        BLACK,
    );
    l.space(8.0);
    let rows = vec![
        vec![Cell::plain("Total requirements"), Cell::plain(s.total_controls.to_string())],
        vec![Cell::plain("Passing"), Cell { text: s.passing.to_string(), color: GREEN, bold: true }],
        vec![
            Cell::plain("Passing with exceptions (failures accepted as risks)"),
            Cell { text: s.passing_with_exceptions.to_string(), color: TEAL, bold: true },
        ],
        vec![Cell::plain("Failing"), Cell { text: s.failing.to_string(), color: RED, bold: true }],
        vec![Cell::plain("Not applicable"), Cell::plain(s.non_applicable.to_string())],
        vec![Cell::plain("Manual (to be evidenced by the auditor)"), Cell::plain(s.manual.to_string())],
        vec![
            Cell::plain("Attested (manual, evidenced by a valid attestation)"),
            Cell { text: s.attested.to_string(), color: PURPLE, bold: true },
        ],
        vec![Cell::plain("Coverage (decided automatically or attested)"), Cell { text: score_text(s.coverage), color: BLACK, bold: true }],
        vec![Cell::plain("Could not be evaluated"), Cell::plain(s.errored.to_string())],
    ];
    l.table(&[Column { header: "Requirements", width: 300.0 }, Column { header: "Count", width: 195.28 }], rows, 10.0);

    l.heading("Score by section", 13.0);
    let mut sections: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for r in &org.requirements {
        let e = sections.entry(if r.section.is_empty() { "(no section)" } else { &r.section }).or_default();
        match r.status.as_str() {
            "pass" | "passing_with_exceptions" => e.0 += 1,
            "fail" | "error" => e.1 += 1,
            _ => {}
        }
    }
    for (section, (pass, decided_not_pass)) in sections {
        let decided = pass + decided_not_pass;
        let (text, fraction) = if decided == 0 {
            ("n/a (nothing decided)".to_string(), 0.0)
        } else {
            (format!("{:.0}%  ({pass}/{decided})", f64::from(pass) * 100.0 / f64::from(decided)), pass as f32 / decided as f32)
        };
        let label = metrics::wrap(section, 9.0, false, 200.0).into_iter().next().unwrap_or_default();
        bar(l, &label, &text, fraction, GREEN);
    }

    l.heading("Failing findings by severity", 13.0);
    let failing = failing_findings(report, org);
    let total = failing.len().max(1);
    for sev in ["critical", "high", "medium", "low", "info"] {
        let n = failing.iter().filter(|(_, f)| f.severity == sev).count();
        let color = match sev {
            "critical" | "high" => RED,
            "medium" => AMBER,
            _ => GREY,
        };
        bar(l, &metrics::sanitize(&capitalize(sev)), &n.to_string(), n as f32 / total as f32, color);
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// Every failing finding (with its account) on a check of this framework.
/// A finding's resource in a table: its name and id, type, account and region, and its
/// ARN where it has one, so an auditor can find it without looking the id up.
fn resource_cell(account: &str, f: &FindingEntry) -> String {
    let mut cell = format!("{} ({})\naccount {account} / {}", f.resource_label(), f.resource_type, f.region);
    if let Some(arn) = &f.resource_arn {
        cell.push('\n');
        cell.push_str(arn);
    }
    cell
}

fn failing_findings<'a>(report: &'a ScanReport, org: &FrameworkResult) -> Vec<(&'a str, &'a FindingEntry)> {
    let checks: std::collections::HashSet<&str> = org.requirements.iter().flat_map(|r| r.checks.iter().map(String::as_str)).collect();
    report
        .accounts
        .iter()
        .flat_map(|a| a.findings.iter().map(move |f| (a.account_id.as_str(), f)))
        .filter(|(_, f)| f.status == "fail" && checks.contains(f.check_id.as_str()))
        .collect()
}

fn matrix(l: &mut Layout, org: &FrameworkResult) {
    l.heading("Requirement matrix", 18.0);
    let rows = org
        .requirements
        .iter()
        .map(|r| {
            let (label, color) = status_label(&r.status);
            vec![
                Cell { text: r.id.clone(), color: BLACK, bold: true },
                Cell::plain(r.title.clone()),
                Cell { text: label.into(), color, bold: true },
                Cell { text: if r.checks.is_empty() { "manual".into() } else { r.checks.join(", ") }, color: GREY, bold: false },
            ]
        })
        .collect();
    let columns = [
        Column { header: "Requirement", width: 75.0 },
        Column { header: "Title", width: 190.0 },
        Column { header: "Status", width: 70.0 },
        Column { header: "Checks", width: 160.28 },
    ];
    l.table(&columns, rows, 8.0);
}

fn failing(l: &mut Layout, report: &ScanReport, org: &FrameworkResult) {
    l.new_page();
    l.heading("Failing findings by requirement", 18.0);
    let all = failing_findings(report, org);
    let mut any = false;
    for r in org.requirements.iter().filter(|r| r.status == "fail") {
        let mine: Vec<&(&str, &FindingEntry)> = all.iter().filter(|(_, f)| r.checks.contains(&f.check_id)).collect();
        if mine.is_empty() {
            continue;
        }
        any = true;
        l.heading(&format!("{}  {}  ({} failing)", r.id, r.title, mine.len()), 11.0);
        let rows = mine
            .iter()
            .map(|(account, f)| {
                vec![
                    Cell {
                        text: capitalize(&f.severity),
                        color: if matches!(f.severity.as_str(), "critical" | "high") { RED } else { AMBER },
                        bold: true,
                    },
                    Cell::plain(resource_cell(account, f)),
                    Cell::plain(format!("{}: {} Remediation: {}", f.check_id, f.message, f.remediation)),
                ]
            })
            .collect();
        let columns = [
            Column { header: "Severity", width: 55.0 },
            Column { header: "Resource", width: 160.0 },
            Column { header: "Finding and remediation", width: 280.28 },
        ];
        l.table(&columns, rows, 8.0);
    }
    if !any {
        l.paragraph(LEFT, RIGHT - LEFT, "No failing findings.", 10.5, false, GREEN);
    }
}

/// The exceptions that bear on this framework (its checks, or every check) and the
/// findings they turned into accepted risks; an expired one is flagged: it matched
/// nothing, so its findings are among the failing ones again.
fn exceptions(l: &mut Layout, report: &ScanReport, org: &FrameworkResult) {
    l.heading("Exceptions (accepted risks)", 18.0);
    let checks: std::collections::HashSet<&str> = org.requirements.iter().flat_map(|r| r.checks.iter().map(String::as_str)).collect();
    let register: Vec<_> =
        report.exceptions.iter().filter(|e| e.exception.check == "*" || checks.contains(e.exception.check.as_str())).collect();
    if register.is_empty() {
        l.paragraph(LEFT, RIGHT - LEFT, "None: no exception applied to this framework's checks.", 10.0, false, BLACK);
        return;
    }
    l.paragraph(
        LEFT,
        RIGHT - LEFT,
        "Failing findings the organization accepted as risks, with who approved each and until when. They are reported as excepted, never as passing; a requirement whose only failures are excepted is shown as \"Pass (exceptions)\".",
        10.0,
        false,
        BLACK,
    );
    l.space(6.0);
    let rows = register
        .iter()
        .map(|e| {
            let x = &e.exception;
            let scope = [
                Some(format!("check {}", x.check)),
                x.account.as_ref().map(|a| format!("account {a}")),
                x.region.clone(),
                x.resource.clone(),
            ]
            .into_iter()
            .flatten()
            .chain(x.tags.iter().map(|(k, v)| format!("tag {k}={v}")))
            .collect::<Vec<_>>()
            .join(", ");
            let expired = e.state == "expired";
            vec![
                Cell { text: x.id.clone(), color: BLACK, bold: true },
                Cell::plain(scope),
                Cell::plain(format!("{} Approved by {}.", x.justification, x.approved_by)),
                Cell {
                    text: if expired { format!("{}\nEXPIRED: matches nothing", x.expires) } else { x.expires.clone() },
                    color: if expired { RED } else { BLACK },
                    bold: expired,
                },
                Cell::plain(e.matched.to_string()),
            ]
        })
        .collect();
    let columns = [
        Column { header: "Exception", width: 55.0 },
        Column { header: "Covers", width: 130.0 },
        Column { header: "Justification and approver", width: 185.0 },
        Column { header: "Expires", width: 75.0 },
        Column { header: "Findings", width: 50.28 },
    ];
    l.table(&columns, rows, 8.0);
    let excepted: Vec<Vec<Cell>> = report
        .accounts
        .iter()
        .flat_map(|a| a.findings.iter().map(move |f| (a.account_id.as_str(), f)))
        .filter(|(_, f)| f.status == "excepted" && checks.contains(f.check_id.as_str()))
        .map(|(account, f)| {
            vec![
                Cell::plain(resource_cell(account, f)),
                Cell::plain(format!("{}: {}", f.check_id, f.message)),
                Cell { text: f.exception_id.clone().unwrap_or_default(), color: TEAL, bold: true },
            ]
        })
        .collect();
    if !excepted.is_empty() {
        l.heading(&format!("Excepted findings ({})", excepted.len()), 11.0);
        let columns = [
            Column { header: "Resource", width: 170.0 },
            Column { header: "Finding", width: 255.0 },
            Column { header: "Exception", width: 70.28 },
        ];
        l.table(&columns, excepted, 8.0);
    }
}

/// The period the framework's valid attestations cover, for the cover page.
fn attestation_period(report: &ScanReport, framework: &str) -> String {
    let valid: Vec<_> = report.attestations.iter().filter(|a| a.attestation.framework == framework && a.state == "valid").collect();
    let from = valid.iter().map(|a| a.attestation.valid_from.as_str()).min();
    let until = valid.iter().map(|a| a.attestation.valid_until.as_str()).max();
    match (from, until) {
        (Some(f), Some(u)) => format!("{f} to {u} ({} attested requirement(s))", valid.len()),
        _ => "none (no valid attestation for this framework)".into(),
    }
}

/// Each attestation of this framework: the requirement, the statement, who, the period
/// (flagged when not valid at the scan), and every evidence file with its SHA-256, so an
/// auditor can match the files they were sent.
fn attestations(l: &mut Layout, report: &ScanReport, framework: &str) {
    l.heading("Attestations and evidence", 18.0);
    let mine: Vec<_> = report.attestations.iter().filter(|a| a.attestation.framework == framework).collect();
    if mine.is_empty() {
        l.paragraph(LEFT, RIGHT - LEFT, "None: no manual requirement of this framework was attested.", 10.0, false, BLACK);
        return;
    }
    l.paragraph(
        LEFT,
        RIGHT - LEFT,
        "Manual requirements evidenced by a person. A valid attestation makes its requirement \"Attested\": covered, but never counted as an automated pass. Each evidence file is identified by its SHA-256.",
        10.0,
        false,
        BLACK,
    );
    l.space(6.0);
    let rows = mine
        .iter()
        .map(|a| {
            let x = &a.attestation;
            let valid = a.state == "valid";
            let files = if x.evidence.is_empty() {
                "(no evidence file)".to_string()
            } else {
                x.evidence
                    .iter()
                    .map(|e| format!("{} ({} bytes, {})\nSHA-256 {}", e.name, e.size, e.media_type, e.sha256))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            vec![
                Cell { text: x.requirement.clone(), color: BLACK, bold: true },
                Cell::plain(format!("{}\nAttested by {}.", x.statement, x.attested_by)),
                Cell {
                    text: if valid {
                        format!("{} to {}", x.valid_from, x.valid_until)
                    } else {
                        format!("{} to {}\n{}: stays manual", x.valid_from, x.valid_until, a.state.to_uppercase().replace('_', " "))
                    },
                    color: if valid { BLACK } else { RED },
                    bold: !valid,
                },
                Cell::plain(files),
            ]
        })
        .collect();
    let columns = [
        Column { header: "Requirement", width: 90.0 },
        Column { header: "Statement", width: 145.0 },
        Column { header: "Valid", width: 65.0 },
        Column { header: "Evidence (name, size, SHA-256)", width: 195.28 },
    ];
    l.table(&columns, rows, 8.0);
}

fn manual(l: &mut Layout, org: &FrameworkResult) {
    l.new_page();
    l.heading("Manual requirements to evidence", 18.0);
    l.paragraph(
        LEFT,
        RIGHT - LEFT,
        "No automated check decides these requirements. They are reported as manual and never counted as passing; the auditor must obtain evidence for each.",
        10.0,
        false,
        BLACK,
    );
    l.space(6.0);
    let rows: Vec<Vec<Cell>> = org
        .requirements
        .iter()
        .filter(|r| r.status == "manual")
        .map(|r| vec![Cell { text: r.id.clone(), color: BLACK, bold: true }, Cell::plain(r.title.clone()), Cell::plain(r.section.clone())])
        .collect();
    if rows.is_empty() {
        l.paragraph(LEFT, RIGHT - LEFT, "None: every requirement is decided by automated checks.", 10.0, false, BLACK);
    } else {
        let columns = [
            Column { header: "Requirement", width: 85.0 },
            Column { header: "Title", width: 260.0 },
            Column { header: "Section", width: 150.28 },
        ];
        l.table(&columns, rows, 8.0);
    }
}

fn appendix(l: &mut Layout, report: &ScanReport, framework: &str) {
    l.new_page();
    l.heading("Appendix: how this scan was made", 18.0);
    let fw = report.frameworks.iter().find(|f| f.id == framework);
    let mut facts = vec![
        format!("Engine: {} {} (sandbox allocator: {}).", report.engine.name, report.engine.version, report.engine.allocator),
        format!("Scan started {} and took {} ms. Inventory source: {}.", report.started_at, report.duration_ms, report.source),
        format!(
            "Framework file: {} {} (id {}), SHA-256 {}.",
            fw.map(|f| f.name.as_str()).unwrap_or(framework),
            fw.map(|f| f.version.as_str()).unwrap_or(""),
            framework,
            fw.map(|f| f.sha256.as_str()).unwrap_or("unknown")
        ),
        format!(
            "Plugin evaluations that failed: {} (each listed in the JSON scan document under plugin_errors).",
            report.plugin_errors.len()
        ),
    ];
    if !report.collection_errors.is_empty() {
        // An auditor must see that a live scan did not read everything.
        facts.push(format!(
            "Live collection could not read {} thing(s) (each listed in the JSON scan document under collection_errors); checks that read them saw nothing there.",
            report.collection_errors.len()
        ));
    }
    for f in facts {
        l.paragraph(LEFT, RIGHT - LEFT, &f, 10.0, false, BLACK);
        l.space(3.0);
    }
    l.heading("Plugins", 12.0);
    let rows = report
        .plugins
        .iter()
        .map(|p| {
            vec![
                Cell::plain(p.name.clone()),
                Cell::plain(p.version.clone()),
                Cell::plain(p.checks.len().to_string()),
                Cell::plain(p.sha256.clone()),
            ]
        })
        .collect();
    let columns = [
        Column { header: "Plugin", width: 80.0 },
        Column { header: "Version", width: 55.0 },
        Column { header: "Checks", width: 45.0 },
        Column { header: "Component SHA-256", width: 315.28 },
    ];
    l.table(&columns, rows, 8.0);
    l.heading("Inventory capture times", 12.0);
    let rows = report
        .accounts
        .iter()
        .map(|a| vec![Cell::plain(a.account_id.clone()), Cell::plain(a.captured_at.clone()), Cell::plain(a.resources.to_string())])
        .collect();
    l.table(
        &[
            Column { header: "Account", width: 150.0 },
            Column { header: "Captured at", width: 200.0 },
            Column { header: "Resources", width: 145.28 },
        ],
        rows,
        8.0,
    );
}
