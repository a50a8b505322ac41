//! The check catalogue as a whole: every built-in plugin behaves the same in the
//! sandbox as natively on every fixture, every check fires on the demo organization,
//! and the framework files reference only checks that exist.

use securebase_e2e::*;
use securebase_plugin_sdk::Plugin;
use securebase_scan::testing::builtin_scanner;
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

/// Every built-in plugin, natively, by component name.
fn native() -> Vec<(&'static str, &'static Plugin)> {
    securebase_builtin_plugins::NATIVE.to_vec()
}

#[test]
fn the_catalogue_has_at_least_60_checks_with_unique_ids() {
    let ids: Vec<&str> = native().iter().flat_map(|(_, p)| p.checks.iter().map(|c| c.meta.id)).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "duplicate check ids");
    assert!(ids.len() >= 60, "only {} checks", ids.len());
    assert_eq!(native().len(), securebase_builtin_plugins::PLUGINS.len(), "every embedded plugin has a native twin here");
}

#[test]
fn every_plugin_gives_the_same_findings_in_the_sandbox_as_natively() {
    let rt = runtime(test_limits());
    let mut fixtures_run = 0;
    for (name, plugin) in native() {
        let bytes = securebase_builtin_plugins::PLUGINS.iter().find(|(n, _)| *n == format!("{name}.wasm")).expect("embedded").1;
        let sandboxed = rt.load(name, bytes).unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins").join(name).join("fixtures");
        for check_dir in std::fs::read_dir(&dir).unwrap().flatten() {
            for file in std::fs::read_dir(check_dir.path()).unwrap().flatten() {
                let fixture = securebase_plugin_sdk::testing::load_fixture(&file.path()).unwrap();
                let natively: BTreeSet<(String, String, String, String)> = plugin
                    .evaluate(&securebase_plugin_sdk::testing::inventory(fixture.account.clone()))
                    .into_iter()
                    .map(|f| (f.check_id, f.resource_id, f.status.as_str().to_string(), f.message))
                    .collect();
                let eval = rt.evaluate(&sandboxed, &fixture.account);
                let in_sandbox: BTreeSet<(String, String, String, String)> = eval
                    .result
                    .unwrap_or_else(|e| panic!("{}: {e}", fixture.path))
                    .into_iter()
                    .map(|f| (f.check_id, f.resource_id, f.status.as_str().to_string(), f.message))
                    .collect();
                assert_eq!(natively, in_sandbox, "{}", fixture.path);
                fixtures_run += 1;
            }
        }
    }
    assert!(fixtures_run > 100, "only {fixtures_run} fixtures");
}

#[test]
fn every_check_fires_on_the_demo_organization() {
    let scanner = builtin_scanner(test_limits(), Some(2));
    let report = scanner.scan(securebase_inventory::demo(), &|_| {});
    assert!(report.plugin_errors.is_empty(), "{:?}", report.plugin_errors);
    let decided: HashSet<&str> = report
        .accounts
        .iter()
        .flat_map(|a| &a.findings)
        .filter(|f| f.status == "pass" || f.status == "fail")
        .map(|f| f.check_id.as_str())
        .collect();
    let failing: HashSet<&str> =
        report.accounts.iter().flat_map(|a| &a.findings).filter(|f| f.status == "fail").map(|f| f.check_id.as_str()).collect();
    let silent: Vec<&str> =
        native().iter().flat_map(|(_, p)| p.checks.iter().map(|c| c.meta.id)).filter(|id| !decided.contains(id)).collect();
    assert!(silent.is_empty(), "checks that neither pass nor fail anywhere in the demo: {silent:?}");
    // A realistic mix: every family fails somewhere.
    for (name, plugin) in native() {
        assert!(plugin.checks.iter().any(|c| failing.contains(c.meta.id)), "plugin {name} fails nowhere in the demo");
    }
}

#[test]
fn framework_files_reference_only_known_checks() {
    let known: HashSet<&str> = native().iter().flat_map(|(_, p)| p.checks.iter().map(|c| c.meta.id)).collect();
    for fw in securebase_scoring::builtin() {
        fw.check_known(&|c| known.contains(c)).unwrap();
        let ids: HashSet<&str> = fw.requirements.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), fw.requirements.len(), "{} has duplicate requirement ids", fw.id);
    }
}

#[test]
fn framework_catalogues_are_complete() {
    let fws = securebase_scoring::builtin();
    let by_id = |id: &str| fws.iter().find(|f| f.id == id).unwrap();
    let cis = by_id("cis-aws-foundations");
    assert_eq!(cis.requirements.len(), 62, "CIS AWS Foundations v3.0.0 has 62 recommendations");
    for r in &cis.requirements {
        assert!(r.profile == "Level 1" || r.profile == "Level 2", "{} profile {:?}", r.id, r.profile);
        assert!(r.assessment == "automated" || r.assessment == "manual", "{} assessment {:?}", r.id, r.assessment);
    }
    let soc2 = by_id("soc2");
    for prefix in ["CC1.", "CC2.", "CC3.", "CC4.", "CC5.", "CC6.", "CC7.", "CC8.", "CC9.", "A1.", "C1."] {
        assert!(soc2.requirements.iter().any(|r| r.id.starts_with(prefix)), "SOC 2 lacks {prefix}");
    }
    assert_eq!(soc2.requirements.len(), 38);
    let hipaa = by_id("hipaa");
    for part in ["164.308", "164.310", "164.312", "164.314", "164.316"] {
        assert!(hipaa.requirements.iter().any(|r| r.id.starts_with(part)), "HIPAA lacks {part}");
    }
    assert!(hipaa.requirements.iter().all(|r| r.profile == "Required" || r.profile == "Addressable"));
    assert_eq!(by_id("fedramp-moderate").requirements.len(), 323, "the FedRAMP Rev. 5 Moderate baseline has 323 controls and enhancements");
    // ISO/IEC 27001:2022 Annex A: 37 organizational, 8 people, 14 physical, 34 technological controls.
    let iso = by_id("iso27001-2022");
    for (theme, count) in [("A.5.", 37), ("A.6.", 8), ("A.7.", 14), ("A.8.", 34)] {
        assert_eq!(iso.requirements.iter().filter(|r| r.id.starts_with(theme)).count(), count, "ISO 27001 {theme}");
    }
    assert_eq!(iso.requirements.len(), 93);
    // PCI DSS v4.0: every principal requirement and the three appendices, at the level of
    // the requirements that carry testing procedures.
    let pci = by_id("pci-dss-v4");
    for principal in (1..=12).map(|n| format!("{n}.")).chain(["A1.".into(), "A2.".into(), "A3.".into()]) {
        assert!(pci.requirements.iter().any(|r| r.id.starts_with(&principal)), "PCI DSS lacks {principal}");
    }
    assert_eq!(pci.requirements.len(), 280, "the count the file's header states");
    for fw in [iso, pci] {
        assert!(fw.requirements.iter().any(|r| !r.checks.is_empty()), "{} maps no checks", fw.id);
    }
}
