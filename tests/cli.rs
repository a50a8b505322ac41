//! The `securebase` binary end to end: the demo scan, its JSON document, exit codes,
//! and error messages for bad input. Scores are recomputed here, independently of the
//! scoring crate, from the findings and the framework files.

use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Output};

fn securebase(args: &[&str], cache: &Path) -> Output {
    Command::new(securebase_e2e::binary()).args(args).env("SECUREBASE_CACHE_DIR", cache).output().expect("binary runs")
}

fn stdout_json(out: &Output) -> Value {
    assert!(out.status.success(), "status {:?}\nstderr: {}", out.status, String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

fn demo_file(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../host/inventory/demo/acme-health").join(name)
}

#[test]
fn demo_json_has_the_documented_shape_and_scores_follow_from_findings() {
    let cache = tempfile::tempdir().unwrap();
    let doc = stdout_json(&securebase(&["scan", "--demo", "--format", "json"], cache.path()));
    assert_eq!(doc["schema"], "securebase.scan/v1");
    assert!(doc["plugin_errors"].as_array().unwrap().is_empty());
    let accounts = doc["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 3);

    // Framework files, read here with a plain TOML parse: requirement -> checks.
    let mut frameworks: HashMap<String, Vec<Vec<String>>> = HashMap::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../frameworks");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let v: toml::Value = toml::from_str(&text).unwrap();
        let reqs = v["requirements"].as_array().unwrap();
        let checks =
            reqs.iter().map(|r| r["checks"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()).collect();
        frameworks.insert(v["id"].as_str().unwrap().to_string(), checks);
    }
    assert_eq!(frameworks.len(), securebase_scoring::builtin().len(), "every framework file is built in");
    assert!(frameworks.len() >= 6);

    let statuses: HashSet<&str> = ["pass", "fail", "not_applicable", "error"].into();
    let mut saw = HashSet::new();
    for a in accounts {
        assert!(a["account_id"].as_str().unwrap().len() == 12);
        let findings = a["findings"].as_array().unwrap();
        for f in findings {
            for key in ["check_id", "resource_id", "resource_type", "region", "status", "severity", "message", "remediation"] {
                assert!(f[key].is_string(), "finding lacks {key}: {f}");
            }
            assert!(statuses.contains(f["status"].as_str().unwrap()));
            saw.insert(f["status"].as_str().unwrap().to_string());
        }
        let fws = a["frameworks"].as_array().unwrap();
        assert_eq!(fws.len(), frameworks.len());
        for fw in fws {
            let reqs = &frameworks[fw["framework"].as_str().unwrap()];
            let (mut pass, mut fail, mut na, mut manual) = (0, 0, 0, 0);
            for checks in reqs {
                if checks.is_empty() {
                    manual += 1;
                    continue;
                }
                let mine: Vec<&str> = findings
                    .iter()
                    .filter(|f| checks.iter().any(|c| c == f["check_id"].as_str().unwrap()))
                    .map(|f| f["status"].as_str().unwrap())
                    .collect();
                if mine.contains(&"fail") {
                    fail += 1;
                } else if mine.contains(&"pass") {
                    pass += 1;
                } else {
                    na += 1;
                }
            }
            let s = &fw["summary"];
            let got = |k: &str| s[k].as_u64().unwrap();
            assert_eq!(
                (got("passing"), got("failing"), got("non_applicable"), got("manual"), got("total_controls")),
                (pass, fail, na, manual, reqs.len() as u64),
                "{fw}"
            );
            let expected = (pass * 1000) as f64 / (pass + fail) as f64;
            assert_eq!(s["score"].as_f64().unwrap(), expected.round() / 10.0, "{}", fw["framework"]);
        }
    }
    // The demo is a realistic mix.
    assert!(saw.contains("pass") && saw.contains("fail") && saw.contains("not_applicable"), "{saw:?}");
}

#[test]
fn table_output_shows_scores_counts_and_failures() {
    let cache = tempfile::tempdir().unwrap();
    let out = securebase(&["scan", "--demo"], cache.path());
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "Account 111111111111 (acme-health-production)",
        "CIS Amazon Web Services Foundations Benchmark 3.0.0",
        "Failing findings",
        "sg-0a3bastion",
        "Plugin errors: none",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
}

#[test]
fn fail_on_exits_3_only_when_a_failure_reaches_the_threshold() {
    let cache = tempfile::tempdir().unwrap();
    let out = securebase(&["scan", "--demo", "--fail-on", "critical", "--format", "json"], cache.path());
    assert_eq!(out.status.code(), Some(3), "staging has critical failures");
    // The security account fails only medium-severity checks.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(demo_file("333333333333-security.json"), dir.path().join("security.json")).unwrap();
    let inv = dir.path().to_str().unwrap();
    assert_eq!(securebase(&["scan", "--inventory", inv, "--fail-on", "high"], cache.path()).status.code(), Some(0));
    assert_eq!(securebase(&["scan", "--inventory", inv, "--fail-on", "medium"], cache.path()).status.code(), Some(3));
}

#[test]
fn framework_selection_and_out_dir() {
    let cache = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out = securebase(
        &["scan", "--demo", "--framework", "hipaa", "--format", "json", "--out", out_dir.path().to_str().unwrap()],
        cache.path(),
    );
    let doc = stdout_json(&out);
    let fws: Vec<&str> = doc["accounts"][0]["frameworks"].as_array().unwrap().iter().map(|f| f["framework"].as_str().unwrap()).collect();
    assert_eq!(fws, ["hipaa"]);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(out_dir.path().join("scan.json")).unwrap()).unwrap();
    assert_eq!(written["accounts"], doc["accounts"]);
}

#[test]
fn unusable_input_exits_2_naming_file_and_field() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(demo_file("222222222222-staging.json")).unwrap()).unwrap();
    doc["configurationItems"][2].as_object_mut().unwrap().remove("resourceId");
    let path = dir.path().join("staging.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let out = securebase(&["scan", "--inventory", dir.path().to_str().unwrap()], cache.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("staging.json") && err.contains("configurationItems[2].resourceId") && err.contains("expected a string"), "{err}");

    let out = securebase(&["scan", "--demo", "--framework", "iso27001"], cache.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown framework `iso27001`; known frameworks: cis-aws-foundations"));

    let out = securebase(&["scan", "--inventory", "/definitely/not/here"], cache.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/definitely/not/here"));

    let out = securebase(&["scan", "--demo", "--plugin", securebase_e2e::BAD_IMPORT], cache.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("evil:exfil/net"));
}

#[test]
fn a_hostile_plugin_on_the_command_line_becomes_a_plugin_error() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(demo_file("111111111111-production.json")).unwrap()).unwrap();
    doc["configurationItems"].as_array_mut().unwrap().push(serde_json::json!({
        "resourceType": "SecureBase::Test::Mode", "resourceId": "mode", "awsRegion": "us-east-1", "configuration": {"mode": "loop"}
    }));
    std::fs::write(dir.path().join("prod.json"), doc.to_string()).unwrap();
    let args = [
        "scan",
        "--inventory",
        dir.path().to_str().unwrap(),
        "--plugin",
        securebase_e2e::HOSTILE,
        "--fuel",
        "200000000",
        "--format",
        "json",
    ];
    let doc = stdout_json(&securebase(&args, cache.path()));
    let errors = doc["plugin_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["plugin"], "hostile");
    assert_eq!(errors[0]["account_id"], "111111111111");
    assert_eq!(errors[0]["kind"], "fuel_exhausted");
    assert!(doc["accounts"][0]["findings"].as_array().unwrap().len() > 20, "built-in findings are intact");
}

#[test]
fn plugins_and_frameworks_listings() {
    let cache = tempfile::tempdir().unwrap();
    let out = securebase(&["plugins"], cache.path());
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let checks = text.lines().filter(|l| l.starts_with("  ") && !l.starts_with("           ")).count();
    assert!(checks >= 60, "{text}");
    assert!(text.contains(&format!("{} plugins, {checks} checks", securebase_builtin_plugins::PLUGINS.len())), "{text}");
    assert!(text.contains("s3_bucket_default_encryption  [S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED]"), "{text}");
    let out = securebase(&["frameworks"], cache.path());
    let text = String::from_utf8(out.stdout).unwrap();
    for id in ["cis-aws-foundations", "soc2", "hipaa", "fedramp-moderate", "iso27001-2022", "pci-dss-v4"] {
        assert!(text.contains(id), "{text}");
    }
    // Counts per framework, recomputed from the files: requirements, automated, manual.
    for fw in securebase_scoring::builtin() {
        let manual = fw.requirements.iter().filter(|r| r.checks.is_empty()).count();
        let want = [manual, fw.requirements.len() - manual, fw.requirements.len()].map(|n| n.to_string());
        let line = text.lines().find(|l| l.starts_with(&fw.id)).unwrap_or_else(|| panic!("{} missing:\n{text}", fw.id));
        assert_eq!(
            line.split_whitespace().rev().take(3).collect::<Vec<_>>(),
            want.iter().map(String::as_str).collect::<Vec<_>>(),
            "{line}"
        );
    }
}

/// `plugins --format json`, the catalogue for tools: the same plugins and checks as the
/// listing, each check with what its plugin declares.
#[test]
fn the_catalogue_as_json_lists_every_check_of_the_listing_with_its_declaration() {
    let cache = tempfile::tempdir().unwrap();
    let text = String::from_utf8(securebase(&["plugins"], cache.path()).stdout).unwrap();
    let listed: BTreeSet<&str> = text
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("           "))
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert!(listed.len() >= 60, "{text}");
    let doc = stdout_json(&securebase(&["plugins", "--format", "json"], cache.path()));
    let plugins = doc["plugins"].as_array().unwrap();
    assert_eq!(plugins.len(), securebase_builtin_plugins::PLUGINS.len());
    assert_eq!(doc["total_plugins"], json!(plugins.len()));
    let checks: Vec<&Value> = plugins.iter().flat_map(|p| p["checks"].as_array().unwrap()).collect();
    assert_eq!(doc["total_checks"], json!(checks.len()));
    assert_eq!(checks.iter().map(|c| c["id"].as_str().unwrap()).collect::<BTreeSet<_>>(), listed, "the JSON lists the listing's checks");
    assert_eq!(checks.len(), listed.len(), "no check twice");
    for c in &checks {
        for field in ["title", "rationale", "remediation"] {
            assert!(c[field].as_str().is_some_and(|s| !s.is_empty()), "{}: {field}", c["id"]);
        }
        assert!(["critical", "high", "medium", "low", "info"].contains(&c["severity"].as_str().unwrap()), "{c}");
        let types = c["resource_types"].as_array().unwrap();
        assert!(!types.is_empty() && types.iter().all(|t| t.as_str().unwrap().split("::").count() == 3), "{c}");
    }
    let rule = checks.iter().find(|c| c["id"] == "s3_bucket_default_encryption").unwrap();
    assert!(
        rule["references"]
            .as_array()
            .unwrap()
            .contains(&json!({"kind": "aws-config-rule", "value": "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"}))
    );
    // The services are those of the checks' resource types.
    let services: BTreeSet<&str> = doc["services"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(services.len() >= 8 && services.contains("S3") && services.contains("EC2"), "{services:?}");
    let from_types: BTreeSet<&str> = checks
        .iter()
        .flat_map(|c| c["resource_types"].as_array().unwrap())
        .map(|t| t.as_str().unwrap().split("::").nth(1).unwrap())
        .collect();
    assert_eq!(services, from_types);
}

#[test]
fn compiled_plugins_are_cached_between_runs() {
    let cache = tempfile::tempdir().unwrap();
    assert!(securebase(&["plugins"], cache.path()).status.success());
    let artifacts: Vec<_> =
        std::fs::read_dir(cache.path()).unwrap().flatten().filter(|e| e.path().extension().is_some_and(|x| x == "cwasm")).collect();
    assert_eq!(artifacts.len(), securebase_builtin_plugins::PLUGINS.len(), "one compiled artifact per built-in plugin");
}

#[test]
fn scan_out_writes_reports_and_report_renders_from_a_saved_scan() {
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    assert!(securebase(&["scan", "--demo", "--out", dir], cache.path()).status.success());
    for name in [
        "scan.json",
        "findings.csv",
        "findings.ocsf.json",
        "report-cis-aws-foundations.pdf",
        "report-soc2.pdf",
        "report-hipaa.pdf",
        "report-fedramp-moderate.pdf",
    ] {
        let bytes = std::fs::read(out.path().join(name)).unwrap_or_else(|_| panic!("{name} not written"));
        assert!(!bytes.is_empty(), "{name} is empty");
    }
    assert!(std::fs::read(out.path().join("report-hipaa.pdf")).unwrap().starts_with(b"%PDF-"));
    let scan = out.path().join("scan.json");
    let pdf = out.path().join("again.pdf");
    let args = [
        "report",
        "--scan",
        scan.to_str().unwrap(),
        "--framework",
        "soc2",
        "--format",
        "pdf",
        "--out",
        pdf.to_str().unwrap(),
        "--organization",
        "Acme",
    ];
    assert!(securebase(&args, cache.path()).status.success());
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let csv = out.path().join("again.csv");
    assert!(
        securebase(&["report", "--scan", scan.to_str().unwrap(), "--format", "csv", "--out", csv.to_str().unwrap()], cache.path())
            .status
            .success()
    );
    assert_eq!(std::fs::read(&csv).unwrap(), std::fs::read(out.path().join("findings.csv")).unwrap());
    // Unusable input: a framework the scan did not score, a file that is not a scan.
    let bad = securebase(
        &["report", "--scan", scan.to_str().unwrap(), "--framework", "iso27001", "--format", "pdf", "--out", pdf.to_str().unwrap()],
        cache.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("was not scored in this scan"));
    let not_scan = out.path().join("findings.csv");
    let bad =
        securebase(&["report", "--scan", not_scan.to_str().unwrap(), "--format", "csv", "--out", csv.to_str().unwrap()], cache.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a SecureBase scan document"));
}

#[test]
fn bench_generate_writes_a_snapshot_that_scans() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("org");
    let args = ["generate", "--accounts", "3", "--resources-per-account", "120", "--seed", "9", "--out", out.to_str().unwrap()];
    let generated = Command::new(securebase_e2e::bench_binary()).args(args).output().expect("securebase-bench runs");
    assert!(generated.status.success(), "status {:?}\nstderr: {}", generated.status, String::from_utf8_lossy(&generated.stderr));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 3);
    let doc = stdout_json(&securebase(&["scan", "--inventory", out.to_str().unwrap(), "--format", "json"], cache.path()));
    assert_eq!(doc["accounts"].as_array().unwrap().len(), 3);
    assert!(doc["plugin_errors"].as_array().unwrap().is_empty());
    let statuses: HashSet<&str> =
        doc["accounts"][0]["findings"].as_array().unwrap().iter().map(|f| f["status"].as_str().unwrap()).collect();
    assert!(statuses.contains("pass") && statuses.contains("fail"), "a realistic mix: {statuses:?}");
}

#[test]
fn invoice_issues_closed_months_only_and_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("sb.db").display());
    let run = |month: &str| {
        Command::new(securebase_e2e::binary())
            .args(["invoice", "--month", month, "--database-url", &db])
            .env_remove("SECUREBASE_DATABASE_URL")
            .output()
            .unwrap()
    };
    let bad = run("2026-13");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--month: expected YYYY-MM"));
    let future = run("2999-01");
    assert_eq!(future.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&future.stderr).contains("not over yet"));
    let past = run("2020-01");
    assert_eq!(past.status.code(), Some(0), "{}", String::from_utf8_lossy(&past.stderr));
    assert!(String::from_utf8_lossy(&past.stderr).contains("2020-01: 0 invoice(s) issued"));
}

/// Provenance in the scan document: a component given with `--plugin` is a `file`
/// plugin, with its hash; the shipped ones stay `builtin`.
#[test]
fn a_plugin_given_on_the_command_line_is_named_as_a_file_plugin() {
    let cache = tempfile::tempdir().unwrap();
    let doc = stdout_json(&securebase(&["scan", "--demo", "--plugin", securebase_e2e::TENANT_POLICY, "--format", "json"], cache.path()));
    let plugins = doc["plugins"].as_array().unwrap();
    assert_eq!(plugins.len(), securebase_builtin_plugins::PLUGINS.len() + 1);
    let origin = |name: &str| plugins.iter().find(|p| p["name"] == name).map(|p| p["origin"].as_str().unwrap().to_string());
    assert_eq!(origin("acme-policy").as_deref(), Some("file"));
    let builtin = plugins.iter().filter(|p| p["origin"] == "builtin").count();
    assert_eq!(builtin, securebase_builtin_plugins::PLUGINS.len(), "{plugins:?}");
    let wasm = std::fs::read(securebase_e2e::TENANT_POLICY).unwrap();
    let sha = plugins.iter().find(|p| p["name"] == "acme-policy").unwrap()["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha, securebase_runtime::cache::sha256_hex(&wasm), "the hash of the file that ran");
}

#[test]
fn plugin_replay_reproduces_a_kept_scan_and_shows_what_differs() {
    let (cache, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let write = |name: &str, doc: &Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec(doc).unwrap()).unwrap();
        path.to_str().unwrap().to_string()
    };
    let replay = |scan: &str, extra: &[&str]| {
        let mut args = vec!["plugin", "replay", "s3", "--scan", scan];
        args.extend_from_slice(extra);
        securebase(&args, cache.path())
    };

    // A scan that did not keep its inventory cannot be replayed, and says how to keep it.
    let plain = stdout_json(&securebase(&["scan", "--demo", "--format", "json"], cache.path()));
    assert!(plain.get("inventory").is_none() && plain.get("inventory_sha256").is_none());
    let out = replay(&write("plain.json", &plain), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--keep-inventory"), "{}", String::from_utf8_lossy(&out.stderr));

    let kept = stdout_json(&securebase(&["scan", "--demo", "--keep-inventory", "--format", "json"], cache.path()));
    assert_eq!(kept["inventory_sha256"].as_str().map(str::len), Some(64));
    assert_eq!(kept["inventory"].as_array().map(Vec::len), Some(3), "one document per demo account");
    // The s3 plugin's findings, counted from the document.
    let s3 = kept["plugins"].as_array().unwrap().iter().find(|p| p["name"] == "s3.wasm" || p["name"] == "s3").expect("s3 ran");
    let checks: HashSet<&str> = s3["checks"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    let recorded = kept["accounts"].as_array().unwrap().iter().flat_map(|a| a["findings"].as_array().unwrap());
    let recorded = recorded.filter(|f| checks.contains(f["check_id"].as_str().unwrap())).count();
    assert!(recorded > 20, "the demo has s3 findings: {recorded}");

    let path = write("kept.json", &kept);
    let out = replay(&path, &["--json"]);
    let doc = stdout_json(&out);
    assert_eq!(doc["same_component"], true);
    assert_eq!(doc["summary"], serde_json::json!({"same": recorded, "changed": 0, "new": 0, "gone": 0, "failed_accounts": 0}));

    // A recorded verdict that the plugin does not give on that inventory is shown as changed (exit 1).
    let mut edited = kept.clone();
    let finding = edited["accounts"][0]["findings"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["check_id"] == "s3_bucket_no_mfa_delete" && f["status"] == "fail")
        .expect("a failing MFA-delete finding in the first account");
    let resource = finding["resource_id"].as_str().unwrap().to_string();
    finding["status"] = "pass".into();
    let out = replay(&write("edited.json", &edited), &["--check", "s3_bucket_no_mfa_delete"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let changed = text.lines().position(|l| l.starts_with("  CHANGED  s3_bucket_no_mfa_delete") && l.ends_with(&resource)).expect(&text);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[changed + 1].contains("recorded: pass") && lines[changed + 2].contains("replayed: fail"), "{text}");
    assert!(text.lines().all(|l| !l.starts_with("  same     s3_bucket_default")), "--check narrows the comparison: {text}");
    assert!(text.contains(" 1 changed, 0 new, 0 gone"), "{text}");

    // An inventory that is not the one the scan evaluated is refused (exit 2), with both digests.
    let mut tampered = kept.clone();
    tampered["inventory"][0]["configurationItems"][0]["tags"] = serde_json::json!({"owner": "someone"});
    let out = replay(&write("tampered.json", &tampered), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not the inventory that scan evaluated") && stderr.contains(kept["inventory_sha256"].as_str().unwrap()),
        "{stderr}"
    );

    // Ids that name nothing are the user's input, named.
    let out = replay(&path, &["--check", "no_such_check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--check no_such_check: s3 has no such check"));
    let out = securebase(&["plugin", "replay", "no-such-plugin", "--scan", &path], cache.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a built-in plugin (one of: s3, "));
}

/// A date `days` from now, `YYYY-MM-DD`.
fn date_in(days: i64) -> String {
    let now = securebase_inventory::time::now_unix();
    securebase_inventory::time::format_rfc3339(now + days * 86_400)[..10].to_string()
}

fn exceptions_file(dir: &Path, expires: &str) -> String {
    let text = format!(
        r#"[[exception]]
check = "s3_bucket_no_mfa_delete"
account = "333333333333"
resource = "acme-security-*"
justification = "Log buckets are write-once via Object Lock; MFA delete adds nothing."
approved_by = "ciso@acme-health.example"
expires = "{expires}"

[[exception]]
id = "OLD-1"
check = "iam_root_hardware_mfa_enabled"
justification = "Hardware token on order."
approved_by = "ciso@acme-health.example"
expires = "2026-01-31"
"#
    );
    let path = dir.join(format!("exceptions-{expires}.toml"));
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn exceptions_turn_failures_into_accepted_risks_scored_apart_until_they_expire() {
    let (cache, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let file = exceptions_file(dir.path(), &date_in(180));
    let out = securebase(&["scan", "--demo", "--exceptions", &file, "--format", "json", "--framework", "hipaa"], cache.path());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(stderr.contains("exception OLD-1 (iam_root_hardware_mfa_enabled on every resource) expired on 2026-01-31"), "{stderr}");
    let doc = stdout_json(&out);

    // Exactly the failing MFA-delete findings of the acme-security-* buckets are excepted.
    let all: Vec<(&str, &Value)> = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["findings"].as_array().unwrap().iter().map(move |f| (a["account_id"].as_str().unwrap(), f)))
        .collect();
    let excepted: Vec<&str> =
        all.iter().filter(|(_, f)| f["status"] == "excepted").map(|(_, f)| f["resource_id"].as_str().unwrap()).collect();
    assert_eq!(excepted, ["acme-security-access-logs", "acme-security-config-history"], "the demo's two failing log buckets");
    for (_, f) in all.iter().filter(|(_, f)| f["status"] == "excepted") {
        assert_eq!((f["original_status"].as_str(), f["exception_id"].as_str()), (Some("fail"), Some("E1")));
        assert_eq!(f["check_id"], "s3_bucket_no_mfa_delete");
    }
    let still_failing =
        all.iter().filter(|(a, f)| *a == "333333333333" && f["check_id"] == "s3_bucket_no_mfa_delete" && f["status"] == "fail");
    assert_eq!(still_failing.count(), 0);
    assert!(
        all.iter().any(|(a, f)| *a == "111111111111" && f["check_id"] == "s3_bucket_no_mfa_delete" && f["status"] == "fail"),
        "other accounts still fail"
    );
    let register = doc["exceptions"].as_array().unwrap();
    assert_eq!(register.len(), 2);
    assert_eq!(
        (register[0]["id"].as_str(), register[0]["state"].as_str(), register[0]["matched"].as_u64()),
        (Some("E1"), Some("active"), Some(2))
    );
    assert_eq!(
        (register[1]["id"].as_str(), register[1]["state"].as_str(), register[1]["matched"].as_u64()),
        (Some("OLD-1"), Some("expired"), Some(0))
    );

    // Account 333333333333's HIPAA specifications, recomputed from its findings: one whose
    // only non-passing findings are excepted passes with exceptions, and the score
    // counts it as passing.
    let account = doc["accounts"].as_array().unwrap().iter().find(|a| a["account_id"] == "333333333333").unwrap();
    let status_of = |check: &str| -> Vec<&str> {
        account["findings"].as_array().unwrap().iter().filter(|f| f["check_id"] == check).map(|f| f["status"].as_str().unwrap()).collect()
    };
    let hipaa = &account["frameworks"][0];
    assert_eq!(hipaa["framework"], "hipaa");
    let mut with_exceptions = 0;
    for r in hipaa["requirements"].as_array().unwrap() {
        let statuses: Vec<&str> = r["checks"].as_array().unwrap().iter().flat_map(|c| status_of(c.as_str().unwrap())).collect();
        let expected = if r["checks"].as_array().unwrap().is_empty() {
            "manual"
        } else if statuses.contains(&"fail") {
            "fail"
        } else if statuses.contains(&"error") {
            "error"
        } else if statuses.contains(&"excepted") {
            "passing_with_exceptions"
        } else if statuses.contains(&"pass") {
            "pass"
        } else {
            "not_applicable"
        };
        assert_eq!(r["status"], expected, "requirement {}", r["id"]);
        with_exceptions += usize::from(expected == "passing_with_exceptions");
    }
    assert!(with_exceptions > 0, "a HIPAA specification (164.312(c)(2)) passes only with the exception");
    let s = &hipaa["summary"];
    let n = |k: &str| s[k].as_f64().unwrap();
    assert_eq!(n("passing_with_exceptions"), with_exceptions as f64);
    let decided = n("passing") + n("passing_with_exceptions") + n("failing") + n("errored");
    assert_eq!(n("score"), ((n("passing") + n("passing_with_exceptions")) * 1000.0 / decided).round() / 10.0);

    // The terminal table shows them apart; reports carry them. Excepted everywhere, the
    // check's CIS requirement (2.1.2, that check alone) passes with exceptions for the
    // whole organization, which is what the PDF reports.
    let everywhere = dir.path().join("everywhere.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace("account = \"333333333333\"\nresource = \"acme-security-*\"\n", "");
    std::fs::write(&everywhere, text).unwrap();
    let mfa_failures = all.iter().filter(|(_, f)| f["check_id"] == "s3_bucket_no_mfa_delete" && f["status"] != "pass").count();
    assert!(mfa_failures > 2, "the demo fails MFA delete in every account: {mfa_failures}");
    let out_dir = dir.path().join("out");
    let args = [
        "scan",
        "--demo",
        "--exceptions",
        everywhere.to_str().unwrap(),
        "--framework",
        "cis-aws-foundations",
        "--out",
        out_dir.to_str().unwrap(),
    ];
    let out = securebase(&args, cache.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("PASS+EXC") && table.contains("EXCEPTED s3_bucket_no_mfa_delete  acme-security-access-logs"), "{table}");
    assert!(table.contains("OLD-1 iam_root_hardware_mfa_enabled until 2026-01-31 (EXPIRED, matches nothing)"), "{table}");
    let csv = std::fs::read_to_string(out_dir.join("findings.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains(",exception_id,resource_name,resource_arn"));
    // The exception's id, then the bucket's name and ARN.
    let excepted = csv.lines().filter(|l| l.contains(",excepted,") && l.contains(",E1,acme-") && l.contains(",arn:aws:s3:::acme-")).count();
    assert_eq!(excepted, mfa_failures, "{csv}");
    let ocsf: Value = serde_json::from_slice(&std::fs::read(out_dir.join("findings.ocsf.json")).unwrap()).unwrap();
    let suppressed: Vec<&Value> = ocsf.as_array().unwrap().iter().filter(|e| e["status"] == "Suppressed").collect();
    assert_eq!(suppressed.len(), mfa_failures);
    assert!(suppressed[0]["status_detail"].as_str().unwrap().contains("write-once via Object Lock"));
    assert_eq!(suppressed[0]["compliance"]["status"], "Fail", "an accepted risk is still a failure");
    let text = pdftotext(&out_dir.join("report-cis-aws-foundations.pdf"));
    for expected in
        ["Exceptions (accepted risks)", "Passing with exceptions", "write-once via Object Lock", "ciso@acme-health.example", "EXPIRED"]
    {
        assert!(text.contains(expected), "the PDF says {expected:?}:\n{text}");
    }
    // The matrix's status cell wraps: "Pass" on the requirement's line, "(exceptions)" below.
    let lines: Vec<&str> = text.lines().collect();
    let row = lines.iter().position(|l| l.starts_with("2.1.2 ") && l.contains("MFA Delete")).expect("CIS 2.1.2 in the matrix");
    assert!(lines[row].contains(" Pass ") && lines[row + 1].contains("(exceptions)"), "{}\n{}", lines[row], lines[row + 1]);

    // The same exception once expired matches nothing: the findings fail again.
    let lapsed = exceptions_file(dir.path(), &date_in(-1));
    let out = securebase(&["scan", "--demo", "--exceptions", &lapsed, "--format", "json", "--framework", "hipaa"], cache.path());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exception E1 (s3_bucket_no_mfa_delete on acme-security-*) expired on"));
    let doc = stdout_json(&out);
    let findings = doc["accounts"].as_array().unwrap().iter().flat_map(|a| a["findings"].as_array().unwrap());
    let mut n = 0;
    for f in findings.filter(|f| f["resource_id"] == "acme-security-access-logs" && f["check_id"] == "s3_bucket_no_mfa_delete") {
        assert_eq!(f["status"], "fail");
        n += 1;
    }
    assert_eq!(n, 1);

    // Bad entries are named with file, line and field (exit 2).
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[exception]]\ncheck = \"s3_bucket_no_mfa_delete\"\napproved_by = \"x\"\nexpires = \"2027-01-01\"\n").unwrap();
    let out = securebase(&["scan", "--demo", "--exceptions", bad.to_str().unwrap()], cache.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.toml:1: exception 1 (E1): justification: required"), "{stderr}");
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").args(["-layout", pdf.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn an_attestation_makes_a_manual_requirement_attested_with_its_evidence_in_the_pdf() {
    let (cache, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::create_dir(dir.path().join("evidence")).unwrap();
    let plan = b"Contingency plan test report, 2026-10-14: failover to us-west-2 in 41 minutes.";
    std::fs::write(dir.path().join("evidence/contingency-plan-test.txt"), plan).unwrap();
    let sha = securebase_runtime::cache::sha256_hex(plan);
    let file = dir.path().join("attestations.toml");
    let text = format!(
        r#"[[attestation]]
framework = "hipaa"
requirement = "164.308(a)(7)(ii)(D)"
statement = "The contingency plan was tested on 2026-10-14 and revised."
attested_by = "ciso@acme-health.example"
valid_from = "2026-10-14"
valid_until = "{}"
evidence = ["./evidence/contingency-plan-test.txt"]

[[attestation]]
framework = "hipaa"
requirement = "164.308(a)(2)"
statement = "Security officer appointed."
attested_by = "ceo@acme-health.example"
valid_from = "2025-01-01"
valid_until = "2026-01-31"
"#,
        date_in(200)
    );
    std::fs::write(&file, text).unwrap();
    let plain = stdout_json(&securebase(&["scan", "--demo", "--framework", "hipaa", "--format", "json"], cache.path()));
    let out =
        securebase(&["scan", "--demo", "--framework", "hipaa", "--attestations", file.to_str().unwrap(), "--format", "json"], cache.path());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(stderr.contains("attestation A2 (hipaa 164.308(a)(2)) is expired (valid 2025-01-01 to 2026-01-31)"), "{stderr}");
    let doc = stdout_json(&out);

    let org = &doc["organization"]["frameworks"][0];
    let status = |doc: &Value, id: &str| -> String {
        let fw = &doc["organization"]["frameworks"][0];
        fw["requirements"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()["status"].as_str().unwrap().to_string()
    };
    assert_eq!(status(&plain, "164.308(a)(7)(ii)(D)"), "manual");
    assert_eq!(status(&doc, "164.308(a)(7)(ii)(D)"), "attested");
    assert_eq!(status(&doc, "164.308(a)(2)"), "manual", "an expired attestation leaves it manual");
    let (s, before) = (&org["summary"], &plain["organization"]["frameworks"][0]["summary"]);
    let n = |v: &Value, k: &str| v[k].as_f64().unwrap();
    assert_eq!((n(s, "attested"), n(s, "manual")), (1.0, n(before, "manual") - 1.0));
    assert_eq!(n(s, "score"), n(before, "score"), "an attestation is not an automated pass");
    let covered = n(s, "passing") + n(s, "passing_with_exceptions") + n(s, "failing") + n(s, "non_applicable") + n(s, "attested");
    assert_eq!(n(s, "coverage"), (covered * 1000.0 / n(s, "total_controls")).round() / 10.0);
    assert_eq!(n(s, "coverage"), n(before, "coverage") + (1000.0 / n(s, "total_controls")).round() / 10.0);
    let listed = doc["attestations"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!((listed[0]["state"].as_str(), listed[1]["state"].as_str()), (Some("valid"), Some("expired")));
    assert_eq!(
        listed[0]["evidence"],
        serde_json::json!([{"name": "contingency-plan-test.txt", "sha256": sha, "media_type": "text/plain", "size": plan.len()}])
    );

    // The PDF states the statement, who, the period and the evidence's SHA-256.
    let out_dir = dir.path().join("out");
    let args = ["scan", "--demo", "--framework", "hipaa", "--attestations", file.to_str().unwrap(), "--out", out_dir.to_str().unwrap()];
    let out = securebase(&args, cache.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("ATTESTED  COVERAGE") && table.contains("A2 hipaa 164.308(a)(2) valid 2025-01-01 to 2026-01-31 (EXPIRED"),
        "{table}"
    );
    // Read in drawing order (a table cell's wrapped lines stay together), whitespace squashed.
    let raw = Command::new("pdftotext").args(["-raw", out_dir.join("report-hipaa.pdf").to_str().unwrap(), "-"]).output().unwrap();
    let text = String::from_utf8_lossy(&raw.stdout).into_owned();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Attestations and evidence",
        "The contingency plan was tested on 2026-10-14 and revised.",
        "ciso@acme-health.example",
        "contingency-plan-test.txt",
        "Attestations cover 2026-10-14 to",
        "EXPIRED: stays manual",
        "Coverage (decided automatically or attested)",
    ] {
        assert!(flat.contains(expected), "the PDF says {expected:?}:\n{text}");
    }

    // The SHA-256 wraps in its cell: without the breaks.
    let squashed: String = text.split_whitespace().collect();
    assert!(squashed.contains(&format!("SHA-256{sha}")), "the evidence's SHA-256 is in the PDF");

    // Unknown ids and automated requirements are named with their line (exit 2).
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[attestation]]\nframework = \"hipaa\"\nrequirement = \"164.312(c)(2)\"\nstatement = \"s\"\nattested_by = \"a\"\nvalid_until = \"2027-01-01\"\n\n\
         [[attestation]]\nframework = \"pci\"\nrequirement = \"1\"\nstatement = \"s\"\nattested_by = \"a\"\nvalid_until = \"2027-01-01\"\n",
    )
    .unwrap();
    let out = securebase(&["scan", "--demo", "--attestations", bad.to_str().unwrap()], cache.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.toml:1: attestation 1 (A1): requirement: 164.312(c)(2) of hipaa is decided by checks"), "{stderr}");
    assert!(stderr.contains("bad.toml:8: attestation 2 (A2): framework: no framework \"pci\""), "{stderr}");
}

#[test]
fn reports_are_signed_and_a_changed_copy_fails_verification() {
    let (cache, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let run = |args: &[&str], key: Option<&str>| {
        let mut c = Command::new(securebase_e2e::binary());
        c.args(args).current_dir(dir.path()).env("SECUREBASE_CACHE_DIR", cache.path()).env_remove("SECUREBASE_SIGNING_KEY");
        if let Some(k) = key {
            c.env("SECUREBASE_SIGNING_KEY", k);
        }
        let out = c.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    for name in ["service.key", "other.key"] {
        assert_eq!(run(&["plugin", "keygen", "--out", name], None).0, Some(0));
    }
    let (code, _, stderr) = run(&["scan", "--demo", "--framework", "hipaa", "--out", "signed"], Some("service.key"));
    assert_eq!(code, Some(0), "{stderr}");
    let verify = |file: &str, key: &str| run(&["report", "verify", file, "--public-key", key], None);
    let (code, stdout, stderr) = verify("signed/report-hipaa.pdf", "service.key.pub");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("ok: signed/report-hipaa.pdf is signed by"), "{stdout}");
    // Still a PDF every reader opens.
    assert!(pdftotext(&dir.path().join("signed/report-hipaa.pdf")).contains("Compliance Report"));

    // One byte changed after download.
    let mut bytes = std::fs::read(dir.path().join("signed/report-hipaa.pdf")).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(dir.path().join("changed.pdf"), &bytes).unwrap();
    let (code, _, stderr) = verify("changed.pdf", "service.key.pub");
    assert_eq!(code, Some(1));
    assert!(stderr.contains("changed after it was signed: its content's SHA-256 is"), "{stderr}");
    // Another key, or no signature at all, does not verify either.
    let (code, _, stderr) = verify("signed/report-hipaa.pdf", "other.key.pub");
    assert_eq!(code, Some(1));
    assert!(stderr.contains("not by the key given"), "{stderr}");
    assert_eq!(run(&["scan", "--demo", "--framework", "hipaa", "--out", "plain"], None).0, Some(0));
    let (code, _, stderr) = verify("plain/report-hipaa.pdf", "service.key.pub");
    assert_eq!(code, Some(1));
    assert!(stderr.contains("carries no SecureBase signature"), "{stderr}");
    // A key that is not one is the user's input.
    let (code, _, stderr) = verify("signed/report-hipaa.pdf", "not-a-key");
    assert_eq!(code, Some(2), "{stderr}");
}

/// `report verify` on an audit package: its signed manifest, each file against it and
/// the PDF inside; every problem is named with its file (changed, missing, added, the
/// manifest itself edited or signed by another key).
#[test]
fn an_audit_package_verifies_and_each_tampered_file_is_named() {
    use securebase_reports::package;
    let (cache, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let run = |args: &[&str]| {
        let out = Command::new(securebase_e2e::binary())
            .args(args)
            .current_dir(dir.path())
            .env("SECUREBASE_CACHE_DIR", cache.path())
            .env_remove("SECUREBASE_SIGNING_KEY")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    for name in ["service.key", "other.key"] {
        assert_eq!(run(&["plugin", "keygen", "--out", name]).0, Some(0));
    }
    let key = |name: &str| securebase_kit::signing::SecretKey::from_env_value(dir.path().join(name).to_str().unwrap()).unwrap();
    let (service, other) = (key("service.key"), key("other.key"));
    // The package as the service makes it: a signed PDF of the demo, and evidence.
    let scan = securebase_scan::testing::builtin_scanner(securebase_runtime::Limits::default(), Some(2))
        .scan(securebase_inventory::demo(), &|_| {});
    let pdf = securebase_reports::render_pdf(&scan, "hipaa", Some("Acme Health")).unwrap();
    let sign = |k: &securebase_kit::signing::SecretKey, b: Vec<u8>| securebase_reports::seal::seal(b, &k.public_base64(), |c| k.sign(c));
    let files = |pdf: Vec<u8>| {
        vec![
            ("report-hipaa.pdf".to_string(), pdf),
            ("findings.csv".to_string(), securebase_reports::render_csv(&scan).into_bytes()),
            ("evidence/abc/plan.txt".to_string(), b"plan".to_vec()),
        ]
    };
    let subject = package::Subject {
        tenant_id: "t_1".into(),
        organization: "Acme Health".into(),
        scan_id: "s_1".into(),
        framework: "hipaa".into(),
        generated_at: "2026-12-03T00:00:00Z".into(),
    };
    let make = |k: &securebase_kit::signing::SecretKey, files: &[(String, Vec<u8>)]| {
        let public = k.public_base64();
        let sign = |b: &[u8]| k.sign(b);
        package::write(subject.clone(), files, Some(package::Signer { key: &public, sign: &sign })).unwrap()
    };
    let good = files(sign(&service, pdf.clone()));
    std::fs::write(dir.path().join("package.zip"), make(&service, &good)).unwrap();
    let (code, stdout, stderr) = run(&["report", "verify", "package.zip", "--public-key", "service.key.pub"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("the manifest is signed by") && stdout.contains("all 3 files match it"), "{stdout}");

    // Tampered after download: one file changed, one removed, one added, all named.
    let opened = package::read(&std::fs::read(dir.path().join("package.zip")).unwrap()).unwrap();
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        (package::MANIFEST.into(), opened.manifest_bytes.clone()),
        (package::MANIFEST_SIGNATURE.into(), opened.signature.clone().unwrap()),
    ];
    for (path, bytes) in &opened.files {
        match path.as_str() {
            "findings.csv" => entries.push((path.clone(), b"check_id\nnothing failed\n".to_vec())),
            "evidence/abc/plan.txt" => {}
            _ => entries.push((path.clone(), bytes.clone())),
        }
    }
    entries.push(("evidence/abc/extra.txt".into(), b"slipped in".to_vec()));
    std::fs::write(dir.path().join("tampered.zip"), raw_zip(&entries)).unwrap();
    let (code, _, stderr) = run(&["report", "verify", "tampered.zip", "--public-key", "service.key.pub"]);
    assert_eq!(code, Some(1), "{stderr}");
    for named in [
        "tampered.zip: findings.csv: changed (SHA-256",
        "tampered.zip: evidence/abc/plan.txt: listed in the manifest, missing from the package",
        "tampered.zip: evidence/abc/extra.txt: not listed in the manifest",
        "3 problem(s)",
    ] {
        assert!(stderr.contains(named), "{named}: {stderr}");
    }
    // The manifest edited to match a changed file: its signature no longer holds.
    let mut manifest = opened.manifest.clone();
    manifest.files[1].sha256 = "0".repeat(64);
    entries[0].1 = serde_json::to_vec_pretty(&manifest).unwrap();
    std::fs::write(dir.path().join("edited.zip"), raw_zip(&entries)).unwrap();
    let (code, _, stderr) = run(&["report", "verify", "edited.zip", "--public-key", "service.key.pub"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("manifest.json: changed after it was signed"), "{stderr}");
    // Signed by another key; and a PDF whose own signature is another key's.
    std::fs::write(dir.path().join("other.zip"), make(&other, &good)).unwrap();
    let (code, _, stderr) = run(&["report", "verify", "other.zip", "--public-key", "service.key.pub"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("manifest.json: signed by key") && stderr.contains("not by the key given"), "{stderr}");
    std::fs::write(dir.path().join("mixed.zip"), make(&service, &files(sign(&other, pdf)))).unwrap();
    let (code, _, stderr) = run(&["report", "verify", "mixed.zip", "--public-key", "service.key.pub"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("report-hipaa.pdf: signed by key"), "{stderr}");
}

/// A zip of these entries as they are, for packages tampered with by hand.
fn raw_zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, bytes) in entries {
        zip.start_file(path.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}
