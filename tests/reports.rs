//! The reports an auditor and a SIEM receive: the PDF is read back with poppler
//! (`pdftotext`, `pdfinfo`) and compared with the JSON scan document; the exports are
//! checked against golden files and the OCSF events against the OCSF models of
//! `py-ocsf-models` (an independent implementation of the schema).

use securebase_e2e::*;
use securebase_scan::testing::builtin_scanner;
use securebase_scan::{FindingEntry, ScanReport};
use std::path::Path;
use std::process::Command;

fn demo_report() -> ScanReport {
    let scanner = builtin_scanner(test_limits(), Some(2));
    scanner.scan(securebase_inventory::demo(), &|_| {})
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed for this test (Debian: poppler-utils; `tests/run` installs it): {e}"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The PDF's text twice: laid out as on the page (for label/value lines), and in
/// content order (table cells kept whole, so wrapped ids can be matched), plus its page count.
fn pdf_text(pdf: &[u8]) -> (String, String, usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let p = path.to_str().unwrap();
    let layout = tool("pdftotext", &["-layout", p, "-"]);
    let raw = tool("pdftotext", &["-raw", p, "-"]);
    let pages = tool("pdfinfo", &[p]).lines().find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap())).unwrap();
    (layout, raw, pages)
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_pdf_shows_every_number_and_failing_finding_of_the_json() {
    let report = demo_report();
    for fw in &report.organization.frameworks {
        let pdf = securebase_reports::render_pdf(&report, &fw.framework, Some("Acme Health")).unwrap();
        let (text, raw, pages) = pdf_text(&pdf);
        assert!(pages >= 5, "{}: {pages} pages", fw.framework);
        let s = &fw.summary;
        let score = s.score.map(|v| format!("{v:.1}%")).unwrap_or("n/a".into());
        assert!(squash(&text).contains(&format!("Overallscore{score}")), "{}: score {score}", fw.framework);
        for (label, n) in
            [("Total requirements", s.total_controls), ("Passing", s.passing), ("Failing", s.failing), ("Not applicable", s.non_applicable)]
        {
            let line =
                text.lines().find(|l| l.trim_start().starts_with(label)).unwrap_or_else(|| panic!("{}: no {label} line", fw.framework));
            assert!(line.trim_end().ends_with(&n.to_string()), "{}: {line:?} should end with {n}", fw.framework);
        }
        assert!(text.contains(&format!("Page {pages} of {pages}")), "page numbers");
        assert!(text.contains("Acme Health") && text.contains(&fw.name));
        // Every failing finding on this framework's checks appears (ids may wrap, so compare without whitespace).
        let checks: Vec<&String> = fw.requirements.iter().flat_map(|r| &r.checks).collect();
        let flat = squash(&raw);
        let failing: Vec<&FindingEntry> =
            report.accounts.iter().flat_map(|a| &a.findings).filter(|f| f.status == "fail" && checks.contains(&&f.check_id)).collect();
        assert!(!failing.is_empty());
        for f in failing {
            let named = [f.resource_name.as_deref(), f.resource_arn.as_deref()].into_iter().flatten().all(|s| flat.contains(&squash(s)));
            assert!(
                flat.contains(&squash(&f.resource_id)) && flat.contains(&squash(&f.check_id)) && named,
                "{}: {} on {} missing",
                fw.framework,
                f.check_id,
                f.resource_id
            );
        }
        // Manual requirements are listed for the auditor, never as passing.
        for r in fw.requirements.iter().filter(|r| r.status == "manual") {
            assert!(flat.contains(&squash(&r.id)), "{}: manual {}", fw.framework, r.id);
        }
    }
}

/// A scan whose CIS report carries 10,000 failing findings with long, unbreakable ids
/// (on CIS 2.1.1, which fails in the demo organization).
fn ten_thousand_findings() -> ScanReport {
    let mut report = demo_report();
    let template = report.accounts[0].findings.iter().find(|f| f.check_id == "s3_bucket_secure_transport_policy").unwrap().clone();
    let mut many = Vec::new();
    for i in 0..10_000 {
        let mut f = template.clone();
        f.status = "fail".into();
        f.resource_id = format!("arn:aws:s3:::acme-synthetic-bucket-with-an-exceptionally-long-name-that-cannot-wrap-on-spaces-{i:05}");
        f.message = format!("Bucket number {i} has no default server-side encryption configured for new objects written to it.");
        many.push(f);
    }
    report.accounts[0].findings = many;
    report
}

#[test]
fn ten_thousand_findings_render_with_no_text_off_the_page() {
    let report = ten_thousand_findings();
    let started = std::time::Instant::now();
    let pdf = securebase_reports::render_pdf(&report, "cis-aws-foundations", None).unwrap();
    println!("rendered 10,000 findings in {:?}, {} bytes", started.elapsed(), pdf.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let p = path.to_str().unwrap();
    let pages: usize = tool("pdfinfo", &[p]).lines().find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap())).unwrap();
    assert!(pages > 100, "{pages} pages");
    // Every word's box must sit inside the A4 page (595 x 842 pt).
    let html = tool("pdftotext", &["-bbox", p, "-"]);
    let mut words = 0;
    for line in html.lines().filter(|l| l.trim_start().starts_with("<word")) {
        let attr = |name: &str| -> f64 {
            let at = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            line[at..].split('"').next().unwrap().parse().unwrap()
        };
        let (x0, x1, y0, y1) = (attr("xMin"), attr("xMax"), attr("yMin"), attr("yMax"));
        assert!(x0 >= 0.0 && x1 <= 595.3 && y0 >= 0.0 && y1 <= 841.9, "word off the page: {line}");
        assert!(x1 <= 550.0, "word in the right margin: {line}");
        words += 1;
    }
    assert!(words > 100_000, "{words} words");
    let flat = squash(&tool("pdftotext", &["-raw", p, "-"]));
    assert!(flat.contains("cannot-wrap-on-spaces-09999"), "the last finding is in the report");
}

#[test]
fn an_empty_scan_renders_and_says_so() {
    let scanner = builtin_scanner(test_limits(), Some(1));
    let empty = securebase_inventory::AccountInventory::new("t", "444444444444", None, "2026-11-01T00:00:00Z", vec![]).unwrap();
    let report = scanner.scan(securebase_inventory::Snapshot { source: "empty".into(), accounts: vec![empty] }, &|_| {});
    let pdf = securebase_reports::render_pdf(&report, "hipaa", None).unwrap();
    let (text, _, _) = pdf_text(&pdf);
    assert!(text.contains("No resources were scanned"), "{text}");
    assert!(text.contains("No failing findings."));
    assert!(securebase_reports::render_pdf(&report, "iso27001", None).unwrap_err().to_string().contains("was not scored"));
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", path.display()));
    assert!(expected == actual, "{name} differs from its golden file; review, then UPDATE_GOLDEN=1");
}

fn fixed(mut report: ScanReport) -> ScanReport {
    report.started_at = "2026-11-01T07:00:00Z".into();
    report
}

#[test]
fn csv_export_matches_its_golden_file_and_parses() {
    let report = fixed(demo_report());
    let csv = securebase_reports::render_csv(&report);
    golden("demo-findings.csv", &csv);
    let rows: usize = report.accounts.iter().map(|a| a.findings.len()).sum();
    assert_eq!(csv.matches("\r\n").count(), rows + 1);
    assert!(csv.starts_with(&securebase_reports::CSV_COLUMNS.join(",")));
}

#[test]
fn ocsf_export_matches_its_golden_file_and_validates_against_the_ocsf_models() {
    let report = fixed(demo_report());
    let events = securebase_reports::render_ocsf(&report);
    let text = serde_json::to_string_pretty(&events).unwrap() + "\n";
    golden("demo-findings.ocsf.json", &text);
    assert_eq!(validate_ocsf(&events), report.accounts.iter().map(|a| a.findings.len()).sum::<usize>());
}

/// Every finding names its resource as its configuration item does (a plugin gives only
/// type and id): the JSON carries the item's name and ARN, the CSV appends them, an OCSF
/// resource's `uid` is the ARN and its `name` the name, the text table leads with the
/// name. The demo's RDS instances are the case that matters: their id is a
/// `DbiResourceId` nobody recognises.
#[test]
fn findings_carry_the_name_and_arn_of_their_resource_in_every_export() {
    let report = fixed(demo_report());
    let demo = securebase_inventory::demo();
    let findings: Vec<(&str, &FindingEntry)> =
        report.accounts.iter().flat_map(|a| a.findings.iter().map(move |f| (a.account_id.as_str(), f))).collect();
    assert!(findings.len() > 300, "{}", findings.len());
    for (account, f) in &findings {
        let inventory = demo.accounts.iter().find(|a| a.account_id() == *account).unwrap();
        let item = inventory.get(&f.resource_type, &f.resource_id).unwrap();
        assert_eq!((&f.resource_name, &f.resource_arn), (&item.resource_name, &item.arn), "{} on {}", f.check_id, f.resource_id);
    }
    let with_arn = findings.iter().filter(|(_, f)| f.resource_arn.is_some()).count();
    assert!(with_arn * 2 > findings.len(), "most findings are on resources with an ARN: {with_arn} of {}", findings.len());
    let (_, rds) = *findings.iter().find(|(_, f)| f.resource_type == "AWS::RDS::DBInstance" && f.status == "fail").unwrap();
    let (name, arn) = (rds.resource_name.as_deref().unwrap(), rds.resource_arn.as_deref().unwrap());
    assert!(rds.resource_id.starts_with("db-") && name != rds.resource_id && arn.ends_with(&format!(":db:{name}")), "{rds:?}");

    let csv = securebase_reports::render_csv(&report);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let [id_at, name_at, arn_at] = ["resource_id", "resource_name", "resource_arn"].map(|c| header.iter().position(|h| *h == c).unwrap());
    assert_eq!((id_at, &header[header.len() - 2..]), (4, &["resource_name", "resource_arn"][..]), "new columns are appended");
    let row: Vec<&str> = csv.lines().find(|l| l.contains(&rds.resource_id) && l.contains(&rds.check_id)).unwrap().split(',').collect();
    assert_eq!((row[name_at], row[arn_at]), (name, arn));

    let events = securebase_reports::render_ocsf(&report);
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), findings.len());
    let event = events
        .iter()
        .find(|e| {
            e["resources"][0]["data"]["resource_id"] == rds.resource_id.as_str() && e["compliance"]["control"] == rds.check_id.as_str()
        })
        .unwrap();
    assert_eq!((event["resources"][0]["uid"].as_str(), event["resources"][0]["name"].as_str()), (Some(arn), Some(name)));

    let table = securebase_reports::render_table(&report);
    assert!(table.contains(&format!("{name} ({})", rds.resource_id)), "{table}");
}

/// Validates OCSF events with `py-ocsf-models`; returns how many it read.
fn validate_ocsf(events: &serde_json::Value) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.json");
    std::fs::write(&path, serde_json::to_vec(events).unwrap()).unwrap();
    let script = r#"
import json, sys
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
events = json.load(open(sys.argv[1]))
for i, e in enumerate(events):
    try:
        ComplianceFinding(**e)
    except Exception as err:
        sys.exit(f"event {i}: {err}")
print(len(events))
"#;
    let out = Command::new("python3").args(["-c", script, path.to_str().unwrap()]).output().expect("python3");
    assert!(
        out.status.success(),
        "OCSF validation failed (py-ocsf-models must be installed; `tests/run` installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// An exception and an attestation reach both exports: excepted findings as OCSF
/// `Suppressed` with the justification and a CSV `exception_id`; the attested
/// requirement as one more CSV row (`attested`) and one more OCSF event (compliance
/// `Pass`, the evidence's SHA-256 in `status_detail`); every event still validates
/// against the OCSF models.
#[test]
fn exceptions_and_attestations_reach_the_csv_and_the_validated_ocsf_events() {
    let exception = securebase_exceptions::Exception {
        id: "RISK-7".into(),
        check: "s3_bucket_no_mfa_delete".into(),
        account: Some("333333333333".into()),
        region: None,
        resource: Some("acme-security-*".into()),
        tags: Default::default(),
        justification: "Write-once via Object Lock".into(),
        approved_by: "ciso@acme-health.example".into(),
        expires: "2099-12-31".into(),
        created_by: None,
        ticket: None,
    };
    let sha = "ab".repeat(32);
    let attestation = securebase_attestations::Attestation {
        id: "A1".into(),
        framework: "hipaa".into(),
        requirement: "164.308(a)(7)(ii)(D)".into(),
        statement: "The contingency plan was tested.".into(),
        attested_by: "ciso@acme-health.example".into(),
        valid_from: "2026-01-01".into(),
        valid_until: "2099-12-31".into(),
        evidence: vec![securebase_attestations::Evidence {
            name: "plan.pdf".into(),
            sha256: sha.clone(),
            media_type: "application/pdf".into(),
            size: 10,
        }],
    };
    let additions = securebase_scan::Additions {
        exceptions: securebase_exceptions::Register::new(vec![exception], securebase_inventory::time::now_unix()),
        attestations: vec![attestation],
        ..Default::default()
    };
    let report = builtin_scanner(test_limits(), Some(2)).scan_with(securebase_inventory::demo(), &additions, &|_| {}).unwrap();
    let excepted: usize = report.accounts.iter().flat_map(|a| &a.findings).filter(|f| f.status == "excepted").count();
    let findings: usize = report.accounts.iter().map(|a| a.findings.len()).sum();
    assert!(excepted >= 1, "the exception matched the demo's log buckets");

    let csv = securebase_reports::render_csv(&report);
    assert_eq!(csv.matches("\r\n").count(), findings + 2, "header, findings, one attested requirement");
    assert_eq!(csv.lines().filter(|l| l.contains(",RISK-7,")).count(), excepted);
    let attested: Vec<&str> = csv.lines().filter(|l| l.contains(",attested,")).collect();
    assert_eq!(attested.len(), 1, "{csv}");
    assert!(attested[0].starts_with(",,,requirement,hipaa:164.308(a)(7)(ii)(D),,"), "{}", attested[0]);
    assert!(attested[0].contains("Attested by ciso@acme-health.example") && attested[0].contains(&sha), "{}", attested[0]);

    let events = securebase_reports::render_ocsf(&report);
    let list = events.as_array().unwrap();
    assert_eq!(list.len(), findings + 1);
    let suppressed: Vec<&serde_json::Value> = list.iter().filter(|e| e["status"] == "Suppressed").collect();
    assert_eq!(suppressed.len(), excepted);
    assert!(suppressed.iter().all(|e| e["status_detail"].as_str().unwrap().contains("Write-once via Object Lock")));
    let pass: Vec<&serde_json::Value> = list.iter().filter(|e| e["metadata"]["event_code"] == "attestation").collect();
    assert_eq!(pass.len(), 1);
    assert_eq!(pass[0]["compliance"]["status"], "Pass");
    assert!(pass[0]["status_detail"].as_str().unwrap().contains(&format!("plan.pdf (SHA-256 {sha})")));
    assert_eq!(validate_ocsf(&events), findings + 1, "the Suppressed and attestation events validate too");
}

/// A plugin's or an inventory's text cannot drive the terminal `scan` prints to: no ESC
/// sequence, CR or stray newline reaches it raw.
#[test]
fn control_characters_from_plugins_and_inventory_are_escaped_in_the_table() {
    let mut report = demo_report();
    let account = &mut report.accounts[0];
    assert!(!account.findings.is_empty());
    // A right-to-left override (U+202E) would show "txt.exe" reversed.
    account.account_name = Some("prod\u{1b}[2J\u{202e}txt.exe".into());
    let finding = account.findings.iter_mut().find(|f| f.status == "fail").expect("the demo has a failing finding");
    finding.message = "\u{1b}[2J\u{1b}[HAll checks passed.\rOK\nfake line".into();
    finding.resource_id = "bucket\u{7}".into();
    let table = securebase_reports::render_table(&report);
    assert!(!table.contains('\u{1b}') && !table.contains('\r') && !table.contains('\u{7}'), "{table:?}");
    assert!(!table.contains('\u{202e}') && table.contains("(prod\\u{1b}[2J\\u{202e}txt.exe)"), "{table}");
    assert!(table.contains("\\u{1b}[2J\\u{1b}[HAll checks passed.\\rOK\\nfake line"), "{table}");
    assert!(table.contains("bucket\\u{7}"), "{table}");
}

#[test]
fn what_live_collection_could_not_read_is_in_every_report() {
    let mut report = demo_report();
    assert!(!securebase_reports::render_json(&report).contains("collection_errors"), "snapshot scans do not list any");
    report.collection_errors.push(securebase_scan::CollectionErrorEntry {
        account_id: "111111111111".into(),
        service: "kms".into(),
        region: "eu-west-1".into(),
        message: "ListKeys: ThrottlingException: Rate exceeded".into(),
    });
    let table = securebase_reports::render_table(&report);
    assert!(table.contains("Collection errors (1)"), "{table}");
    assert!(table.contains("account 111111111111 kms [eu-west-1]: ListKeys: ThrottlingException: Rate exceeded"), "{table}");
    let back: ScanReport = serde_json::from_str(&securebase_reports::render_json(&report)).unwrap();
    assert_eq!(back.collection_errors, report.collection_errors);
    let pdf = securebase_reports::render_pdf(&report, "cis-aws-foundations", None).unwrap();
    let (_, raw, _) = pdf_text(&pdf);
    assert!(squash(&raw).contains(&squash("Live collection could not read 1 thing(s)")), "{raw}");
}
