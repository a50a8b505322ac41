//! Hostile plugins: each misbehaviour must end as a `plugin_errors` entry (or a load-time
//! refusal with a clear message) while the well-behaved plugins' findings in the same
//! scan stay complete and correct.

use securebase_e2e::*;
use securebase_runtime::{Limits, LoadError, Metering, Runtime, RuntimeOptions};
use securebase_scan::ScanReport;
use securebase_scan::testing::builtin_scanner_with;
use serde_json::json;
use std::sync::Arc;

fn scan(limits: Limits, with_hostile: bool, mode: serde_json::Value) -> ScanReport {
    let rt = runtime(limits);
    let extra = if with_hostile { vec![load(&rt, HOSTILE).expect("hostile guest loads")] } else { vec![] };
    let scanner = builtin_scanner_with(rt, extra, Some(2));
    scanner.scan(demo_with_mode(mode), &|_| {})
}

/// The built-in plugins' findings per account, without the hostile probe's.
fn builtin_findings(report: &ScanReport) -> Vec<(String, Vec<String>)> {
    report
        .accounts
        .iter()
        .map(|a| {
            let f = a
                .findings
                .iter()
                .filter(|f| f.check_id != "hostile_probe")
                .map(|f| format!("{} {} {} {}", f.check_id, f.resource_id, f.status, f.message))
                .collect();
            (a.account_id.clone(), f)
        })
        .collect()
}

/// Runs the hostile guest in `mode` beside the built-ins and checks the damage is contained.
fn contained(mode: serde_json::Value, limits: Limits, kind: &str, message: &str) {
    let baseline = scan(limits.clone(), false, json!({"mode": "well-behaved"}));
    assert!(baseline.plugin_errors.is_empty(), "{:?}", baseline.plugin_errors);
    let report = scan(limits, true, mode.clone());
    // The mode may carry megabytes of padding: name it in failures by its start.
    let mode: String = mode.to_string().chars().take(120).collect();
    assert_eq!(report.plugin_errors.len(), 1, "{mode}: {:#?}", report.plugin_errors);
    let e = &report.plugin_errors[0];
    assert_eq!((e.plugin.as_str(), e.account_id.as_str(), e.kind.as_str()), ("hostile", "111111111111", kind), "{mode}: {e:?}");
    assert!(e.message.contains(message), "{mode}: expected {message:?} in {:?}", e.message);
    assert_eq!(builtin_findings(&report), builtin_findings(&baseline), "{mode}: built-in findings changed");
    assert!(!builtin_findings(&report)[0].1.is_empty());
    // The hostile check is undecided, never passing, in the account it failed on.
    let a = &report.accounts[0];
    assert!(a.findings.iter().all(|f| f.check_id != "hostile_probe"));
    assert!(a.evaluations.iter().any(|ev| ev.plugin == "hostile" && ev.status == "error"));
}

#[test]
fn infinite_loop_runs_out_of_fuel() {
    contained(json!({"mode": "loop"}), test_limits(), "fuel_exhausted", "ran out of fuel");
}

#[test]
fn infinite_loop_without_a_fuel_budget_hits_the_deadline() {
    // Fuel so large it would run for hours: the epoch deadline must stop it.
    let limits = Limits { fuel: u64::MAX / 4, timeout: std::time::Duration::from_millis(1500), ..test_limits() };
    contained(json!({"mode": "loop"}), limits, "timeout", "deadline");
}

/// Without fuel metering (`Metering::EpochOnly`, what `securebase-bench scan --metering
/// epoch` measures) the epoch deadline alone still stops a plugin that never returns;
/// the built-ins' verdicts are those of a metered scan, and no fuel is reported.
#[test]
fn without_fuel_metering_the_deadline_alone_still_stops_an_infinite_loop() {
    let limits = Limits { timeout: std::time::Duration::from_millis(1500), ..test_limits() };
    let options = RuntimeOptions { limits: limits.clone(), metering: Metering::EpochOnly, ..RuntimeOptions::default() };
    let rt = Arc::new(Runtime::new(options).unwrap());
    assert_eq!(rt.metering(), Metering::EpochOnly);
    let hostile = load(&rt, HOSTILE).unwrap();
    let report = builtin_scanner_with(rt, vec![hostile], Some(2)).scan(demo_with_mode(json!({"mode": "loop"})), &|_| {});
    assert_eq!(report.plugin_errors.len(), 1, "{:#?}", report.plugin_errors);
    assert_eq!((report.plugin_errors[0].plugin.as_str(), report.plugin_errors[0].kind.as_str()), ("hostile", "timeout"));
    let baseline = scan(limits, false, json!({"mode": "well-behaved"}));
    assert!(!builtin_findings(&baseline)[0].1.is_empty());
    assert_eq!(builtin_findings(&report), builtin_findings(&baseline));
    let evaluations: Vec<_> = report.accounts.iter().flat_map(|a| &a.evaluations).collect();
    assert!(evaluations.len() > 10, "{}", evaluations.len());
    assert!(evaluations.iter().all(|e| e.fuel_used == 0), "nothing metered, nothing reported");
    assert!(baseline.accounts.iter().flat_map(|a| &a.evaluations).all(|e| e.fuel_used > 0), "a metered scan reports fuel");
}

#[test]
fn unbounded_memory_growth_hits_the_memory_limit() {
    contained(json!({"mode": "memory"}), test_limits(), "memory_limit", "memory limit of 67108864 bytes");
}

#[test]
fn unbounded_recursion_overflows_the_stack() {
    contained(json!({"mode": "recursion"}), test_limits(), "stack_overflow", "stack");
}

#[test]
fn recursion_with_large_frames_overflows_the_shadow_stack_and_traps() {
    contained(json!({"mode": "deep-frames"}), test_limits(), "trap", "out of bounds memory access");
}

#[test]
fn a_panic_is_a_trap_with_its_message() {
    contained(json!({"mode": "panic"}), test_limits(), "trap", "hostile plugin panics on purpose");
}

#[test]
fn a_flood_of_findings_is_refused() {
    contained(json!({"mode": "flood", "count": "5000"}), test_limits(), "output_limit", "returned 5000 findings; the limit is 1000");
}

#[test]
fn a_giant_string_is_refused() {
    contained(json!({"mode": "giant"}), test_limits(), "output_limit", "message is 4194304 bytes");
}

#[test]
fn a_finding_for_another_accounts_resource_is_refused() {
    // acme-staging-app-assets exists, but in account 222222222222.
    let mode = json!({"mode": "foreign", "resource_type": "AWS::S3::Bucket", "resource_id": "acme-staging-app-assets"});
    contained(mode, test_limits(), "invalid_output", "not in the inventory of account 111111111111");
}

#[test]
fn a_finding_for_an_undeclared_check_is_refused() {
    contained(json!({"mode": "unknown-check"}), test_limits(), "invalid_output", "did not declare");
}

#[test]
fn two_verdicts_on_one_resource_are_refused() {
    contained(json!({"mode": "twice"}), test_limits(), "invalid_output", "a second time; one verdict per resource");
}

/// The host's copying of inventory items into the guest is charged to the plugin's
/// fuel: asking for a padded item a million times runs out of fuel (before the fix it
/// ran into the wall-clock deadline, having made the host copy hundreds of GB).
#[test]
fn copying_the_inventory_again_and_again_runs_out_of_fuel() {
    let padding = "p".repeat(4 << 20);
    contained(json!({"mode": "copy-loop", "padding": padding}), test_limits(), "fuel_exhausted", "ran out of fuel");
}

/// The same attack through contract 1.1's `encoded-items`: the buffer is encoded once per
/// account, but each copy into the instance is charged.
#[test]
fn copying_the_encoded_inventory_again_and_again_runs_out_of_fuel() {
    let padding = "p".repeat(4 << 20);
    contained(json!({"mode": "encoded-copy-loop", "padding": padding}), test_limits(), "fuel_exhausted", "ran out of fuel");
}

#[test]
fn a_plugin_reported_error_is_kept() {
    contained(json!({"mode": "plugin-error"}), test_limits(), "plugin_failed", "gave up on this account");
}

#[test]
fn default_limits_stop_an_infinite_loop() {
    // No test-specific limits at all: the defaults alone must end it.
    let rt = Arc::new(securebase_runtime::Runtime::new(RuntimeOptions::default()).unwrap());
    let hostile = load(&rt, HOSTILE).unwrap();
    let account = Arc::new(demo_with_mode(json!({"mode": "loop"})).accounts.remove(0));
    let eval = rt.evaluate(&hostile, &account);
    let err = eval.result.unwrap_err();
    // Its fuel runs out first unless a loaded machine lets the 10 s deadline come first:
    // either default ends it, and says which.
    match err.kind.as_str() {
        "fuel_exhausted" => assert_eq!(eval.fuel_used, Limits::default().fuel),
        "timeout" => assert!((1..Limits::default().fuel).contains(&eval.fuel_used), "metered: {}", eval.fuel_used),
        other => panic!("ended by {other}, not by a default limit: {err}"),
    }
}

#[test]
fn log_output_is_bounded() {
    let limits = test_limits();
    let rt = runtime(limits.clone());
    let hostile = load(&rt, HOSTILE).unwrap();
    let account = Arc::new(demo_with_mode(json!({"mode": "log-flood"})).accounts.remove(0));
    let eval = rt.evaluate(&hostile, &account);
    assert!(eval.result.is_ok(), "{:?}", eval.result);
    let bytes: usize = eval.log.iter().map(String::len).sum();
    // The log interface and stdout/stderr each keep at most their share, plus markers.
    assert!(bytes <= limits.max_log_bytes * 2 + 200, "{bytes} bytes of log kept");
    assert!(eval.log.iter().any(|l| l.contains("log truncated")), "no truncation marker");
    assert!(eval.log.iter().any(|l| l.starts_with("stderr: stderr line 0")), "stderr was not captured");
}

#[test]
fn a_plugin_sees_no_environment_arguments_real_clock_or_host_randomness() {
    let rt = runtime(test_limits());
    let hostile = load(&rt, HOSTILE).unwrap();
    let account = Arc::new(demo_with_mode(json!({"mode": "snoop"})).accounts.remove(0));
    assert!(std::env::vars().count() > 0, "the test process itself has an environment");
    let run = || rt.evaluate(&hostile, &account).result.unwrap().remove(0).message;
    let message = run();
    let captured = securebase_inventory::time::parse_rfc3339(account.captured_at()).unwrap();
    assert!(message.starts_with(&format!("vars=0 home=false secret=false args=0 now={captured} ")), "{message}");
    // Randomness is fixed: the same account gives the same hash seed every time.
    assert_eq!(run(), message);
}

/// An instance starts from the component's initial memory whatever the pooling allocator
/// keeps warm between instances: the guest counts its calls in a static, and grows a MiB
/// of memory past its heap, reads it and marks it. Every evaluation of the same account,
/// one after the other on one thread (so the same pool slot is reused, the grown MiB at
/// the same place), must see neither: with memory given back by `madvise`, restored in
/// place (16 MiB kept resident, above all the guest touches), restored page by page
/// where `PAGEMAP_SCAN` finds it touched, and as the product's default has it.
#[test]
fn no_instance_sees_what_the_one_before_it_left_in_memory() {
    use securebase_runtime::{Allocator, PoolTuning};
    let account = Arc::new(demo_with_mode(json!({"mode": "remember"})).accounts.remove(0));
    let resident = PoolTuning { keep_resident: 16 << 20, decommit_batch: 8, pagemap_scan: false };
    let tunings = [PoolTuning::GIVE_BACK, resident, PoolTuning { pagemap_scan: true, ..resident }, PoolTuning::WARM, PoolTuning::default()];
    for pool in tunings {
        let options = RuntimeOptions { limits: test_limits(), pool, ..RuntimeOptions::default() };
        let rt = Runtime::new(options).unwrap();
        assert_eq!(rt.allocator(), Allocator::Pooling, "the pool is what is tested");
        let hostile = load(&rt, HOSTILE).unwrap();
        let messages: Vec<String> = (0..20).map(|_| rt.evaluate(&hostile, &account).result.unwrap().remove(0).message).collect();
        assert_eq!(messages.len(), 20);
        let at = messages[0].split(" at=").nth(1).expect("where the MiB was grown").to_string();
        for m in &messages {
            assert_eq!(m, &format!("calls=1 dirty=0 at={at}"), "{pool:?}: {messages:?}");
        }
    }
}

#[test]
fn a_plugin_that_reads_files_is_refused_at_load() {
    let rt = runtime(test_limits());
    let err = load(&rt, FILE_SNOOP).unwrap_err();
    assert!(matches!(err, LoadError::ForbiddenImport { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("wasi:filesystem/"), "{text}");
    assert!(text.contains("no filesystem, network, environment or clock access"), "{text}");
}

#[test]
fn a_plugin_importing_an_unknown_interface_is_refused_at_load() {
    let rt = runtime(test_limits());
    let err = load(&rt, BAD_IMPORT).unwrap_err().to_string();
    assert!(err.contains("imports `evil:exfil/net`"), "{err}");
}

#[test]
fn a_plugin_for_another_major_version_is_refused_naming_both() {
    let rt = runtime(test_limits());
    let err = load(&rt, FUTURE_MAJOR).unwrap_err().to_string();
    assert!(err.contains("securebase:control@2.0.0") && err.contains("securebase:control@1.1.0"), "{err}");
}

#[test]
fn bytes_that_are_not_a_component_are_refused() {
    let rt = runtime(test_limits());
    for (name, bytes) in [("text.wasm", b"hello".to_vec()), ("core.wasm", b"\0asm\x01\0\0\0".to_vec())] {
        let err = rt.load(name, &bytes).unwrap_err();
        assert!(matches!(err, LoadError::Compile { .. }), "{name}: {err}");
        assert!(err.to_string().contains(name), "{err}");
    }
}
