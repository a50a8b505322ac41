//! Golden files for the demo scan: the table and the JSON document, with the fields
//! that vary from run to run (times, durations, fuel) blanked. A change to a check, a
//! framework file, the demo data, scoring or rendering shows up here as a diff to
//! review. Regenerate with `UPDATE_GOLDEN=1 cargo test -p securebase-e2e --test golden`.

use securebase_e2e::*;
use securebase_scan::ScanReport;
use securebase_scan::testing::builtin_scanner;
use std::path::Path;

fn demo_report() -> ScanReport {
    let scanner = builtin_scanner(test_limits(), Some(2));
    let mut report = scanner.scan(securebase_inventory::demo(), &|_| {});
    report.started_at = "<started_at>".into();
    report.duration_ms = 0;
    report.engine.allocator = "<allocator>".into();
    for a in &mut report.accounts {
        for e in &mut a.evaluations {
            e.duration_ms = 0.0;
            e.fuel_used = 0;
        }
    }
    for p in &mut report.plugins {
        p.sha256 = "<sha256>".into();
    }
    report
}

fn check(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_GOLDEN=1", path.display()));
    if expected != actual {
        let line =
            expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from its golden file at line {}:\n  golden: {:?}\n  actual: {:?}\nreview the change, then UPDATE_GOLDEN=1 to accept it",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn demo_scan_table() {
    check("demo-scan.txt", &securebase_reports::render_table(&demo_report()));
}

#[test]
fn demo_scan_json() {
    check("demo-scan.json", &securebase_reports::render_json(&demo_report()));
}

/// Every requirement of every framework with the checks behind it: a mapping change is a diff.
#[test]
fn framework_mappings() {
    let mut out = String::new();
    for fw in securebase_scoring::builtin() {
        out.push_str(&format!("# {} {} ({})\n", fw.name, fw.version, fw.id));
        for r in &fw.requirements {
            let checks = if r.checks.is_empty() { "manual".to_string() } else { r.checks.join(", ") };
            out.push_str(&format!("{} | {} | {checks}\n", r.id, r.title));
        }
        out.push('\n');
    }
    check("framework-mappings.txt", &out);
}
