//! The plugin contract across minor versions: a plugin built against
//! `securebase:control@1.0.0` (JSON text, parsed in the guest) still loads and gives the
//! same verdicts on the 1.1 host as the built-in plugins, which read the host's encoded
//! inventory (`inventory.encoded-items`).

use securebase_e2e::*;
use securebase_scan::testing::builtin_scanner_with;

/// (account, resource, status) of one check's findings.
fn verdicts(report: &securebase_scan::ScanReport, check: &str) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = report
        .accounts
        .iter()
        .flat_map(|a| a.findings.iter().map(move |f| (a, f)))
        .filter(|(_, f)| f.check_id == check)
        .map(|(a, f)| (a.account_id.clone(), f.resource_id.clone(), f.status.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn a_plugin_built_against_1_0_runs_on_the_1_1_host_and_agrees_with_the_built_in_check() {
    let rt = runtime(test_limits());
    let v1 = load(&rt, CONTRACT_1_0).expect("a 1.0 plugin loads on a 1.1 host");
    assert_eq!(v1.contract(), "securebase:control@1.0.0");
    let scanner = builtin_scanner_with(rt.clone(), vec![v1], Some(2));
    let report = scanner.scan(securebase_inventory::demo(), &|_| {});
    assert!(report.plugin_errors.is_empty(), "{:#?}", report.plugin_errors);

    let old = verdicts(&report, "v1_s3_bucket_versioning");
    let new = verdicts(&report, "s3_bucket_object_versioning");
    let buckets: usize = securebase_inventory::demo().accounts.iter().map(|a| a.items("AWS::S3::Bucket").len()).sum();
    assert!(buckets >= 2, "the demo organization has buckets");
    assert_eq!(old.len(), buckets, "one verdict per bucket through 1.0's items: {old:?}");
    assert!(old.iter().any(|v| v.2 == "pass") && old.iter().any(|v| v.2 == "fail"), "both outcomes occur: {old:?}");
    assert_eq!(old, new, "JSON parsed in the guest (1.0) and the encoded inventory (1.1) give the same verdicts");
}

#[test]
fn the_built_in_plugins_are_built_against_1_1() {
    let rt = runtime(test_limits());
    let plugins = securebase_builtin_plugins::PLUGINS;
    assert!(plugins.len() >= 30, "{}", plugins.len());
    for (name, bytes) in plugins {
        let plugin = rt.load(name, bytes).expect("built-in plugin loads");
        assert_eq!(plugin.contract(), format!("securebase:control@{}", securebase_runtime::CONTRACT_VERSION), "{name}");
    }
    assert_eq!(securebase_runtime::CONTRACT_VERSION, "1.1.0");
}
