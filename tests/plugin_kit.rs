//! `securebase plugin ...` end to end, on real components built by this suite (the
//! tenant-policy guest and its fixtures, the guests the sandbox refuses): what an author
//! sees, and the exit status a script acts on. Pushing to the service is in `serve.rs`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn securebase(args: &[&str], cache: &Path) -> Output {
    Command::new(securebase_e2e::binary()).args(args).env("SECUREBASE_CACHE_DIR", cache).output().expect("binary runs")
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guests/tenant-policy/fixtures")
}

/// Copies the guest's fixtures to a scratch folder a test may break.
fn scratch_fixtures(into: &Path) -> PathBuf {
    let dir = into.join("fixtures");
    for entry in walk(&fixtures()) {
        let to = dir.join(entry.strip_prefix(fixtures()).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &to).unwrap();
    }
    dir
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() { files.extend(walk(&e.path())) } else { files.push(e.path()) }
    }
    files
}

#[test]
fn inspect_says_what_a_component_is_and_whether_the_sandbox_takes_it() {
    let cache = tempfile::tempdir().unwrap();
    let out = securebase(&["plugin", "inspect", securebase_e2e::TENANT_POLICY, "--json"], cache.path());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let wasm = std::fs::read(securebase_e2e::TENANT_POLICY).unwrap();
    assert_eq!(doc["size"].as_u64(), Some(wasm.len() as u64));
    assert_eq!(doc["sha256"].as_str().unwrap().len(), 64);
    assert_eq!((doc["contract"].as_str(), doc["name"].as_str()), (Some("securebase:control@1.1.0"), Some("acme-policy")));
    let imports = doc["imports"].as_array().unwrap();
    assert!(imports.iter().any(|i| i["name"] == "securebase:control/inventory@1.1.0"), "{imports:?}");
    assert!(imports.iter().all(|i| i["allowed"] == true), "a plugin that loads imports only what is allowed: {imports:?}");
    let checks: Vec<&str> = doc["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(checks, ["acme_s3_bucket_owner_tag"]);

    // A refused component: every import listed, the refused one marked, exit 1.
    let out = securebase(&["plugin", "inspect", securebase_e2e::BAD_IMPORT], cache.path());
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.lines().any(|l| l.contains("REFUSED") && l.contains("evil:exfil/net")), "{stdout}");
    assert!(stdout.lines().any(|l| l.contains("allowed") && l.contains("securebase:control/")), "{stdout}");
    assert!(stdout.contains("verdict: refused"), "{stdout}");

    // Not a component at all: exit 2, naming the file.
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("notes.wasm");
    std::fs::write(&junk, "this is text").unwrap();
    let out = securebase(&["plugin", "inspect", junk.to_str().unwrap()], cache.path());
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("notes.wasm") && stderr.contains("build it as a component"), "{stderr}");
}

#[test]
fn test_runs_fixtures_in_the_sandbox_and_shows_each_difference() {
    let cache = tempfile::tempdir().unwrap();
    let out = securebase(&["plugin", "test", securebase_e2e::TENANT_POLICY, "--fixtures", fixtures().to_str().unwrap()], cache.path());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("2 fixtures: 2 passed, 0 failed"), "{stdout}");
    let runs: Vec<&str> = stdout.lines().filter(|l| l.starts_with("ok  ")).collect();
    assert_eq!(runs.len(), 2, "{stdout}");
    assert!(runs.iter().all(|l| l.contains("fuel ") && l.contains("of the limit") && l.contains(" ms")), "{runs:?}");

    // One expectation turned around: exit 1 and the resource's expected and actual status.
    let dir = tempfile::tempdir().unwrap();
    let broken = scratch_fixtures(dir.path());
    let file = broken.join("acme_s3_bucket_owner_tag/owned_and_unowned.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    doc["expect"]["scratch"] = "pass".into();
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = securebase(&["plugin", "test", securebase_e2e::TENANT_POLICY, "--fixtures", broken.to_str().unwrap()], cache.path());
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL  acme_s3_bucket_owner_tag/owned_and_unowned.json"), "{stdout}");
    assert!(stdout.contains("- scratch: expected pass") && stdout.contains("+ scratch: got      fail"), "{stdout}");
    assert!(!stdout.contains("billing-exports: expected"), "only differences are shown: {stdout}");
    assert!(stdout.contains("2 fixtures: 1 passed, 1 failed"), "{stdout}");

    // Malformed JSON, and a folder that names no check: exit 2, naming the file.
    std::fs::write(&file, "{ not json").unwrap();
    let out = securebase(&["plugin", "test", securebase_e2e::TENANT_POLICY, "--fixtures", broken.to_str().unwrap()], cache.path());
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("owned_and_unowned.json: not JSON"), "{stderr}");
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir_all(broken.join("s3_bucket_tagged")).unwrap();
    let out = securebase(&["plugin", "test", securebase_e2e::TENANT_POLICY, "--fixtures", broken.to_str().unwrap()], cache.path());
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("names check `s3_bucket_tagged`") && stderr.contains("its checks: acme_s3_bucket_owner_tag"), "{stderr}");
}

#[test]
fn run_shows_one_plugin_s_findings_and_fuel_per_account() {
    let cache = tempfile::tempdir().unwrap();
    let out = securebase(&["plugin", "run", securebase_e2e::TENANT_POLICY, "--demo", "--json"], cache.path());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let accounts = doc["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), securebase_inventory::demo().accounts.len());
    let buckets: usize = securebase_inventory::demo().accounts.iter().map(|a| a.items("AWS::S3::Bucket").len()).sum();
    let findings: Vec<&Value> = accounts.iter().flat_map(|a| a["findings"].as_array().unwrap()).collect();
    assert!(buckets > 0);
    assert_eq!(findings.len(), buckets, "one finding per demo bucket, and nothing else");
    assert!(findings.iter().all(|f| f["check_id"] == "acme_s3_bucket_owner_tag"));
    for a in accounts {
        let (used, limit) = (a["fuel_used"].as_u64().unwrap(), a["fuel_limit"].as_u64().unwrap());
        assert!(used > 0 && used < limit, "{a}");
    }
}

#[test]
fn a_signature_made_by_the_kit_verifies_and_a_changed_component_does_not() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("team.key");
    let out = securebase(&["plugin", "keygen", "--out", key.to_str().unwrap()], cache.path());
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let wasm = dir.path().join("policy.wasm");
    std::fs::copy(securebase_e2e::TENANT_POLICY, &wasm).unwrap();
    let out = securebase(&["plugin", "sign", wasm.to_str().unwrap(), "--key", key.to_str().unwrap()], cache.path());
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let public = format!("{}.pub", key.display());
    let verify = |cache: &Path| securebase(&["plugin", "verify", wasm.to_str().unwrap(), "--public-key", &public], cache);
    assert_eq!(verify(cache.path()).status.code(), Some(0), "{:?}", text(&verify(cache.path())));
    let mut bytes = std::fs::read(&wasm).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    std::fs::write(&wasm, bytes).unwrap();
    let out = verify(cache.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("is not by the key"), "{:?}", text(&out));
    // keygen never overwrites a key.
    let out = securebase(&["plugin", "keygen", "--out", key.to_str().unwrap()], cache.path());
    assert_eq!(out.status.code(), Some(2));
}

/// Copies a folder (an example project) to a scratch place a build may write into.
fn copy_tree(from: &Path, to: &Path) {
    for file in walk(from) {
        let dest = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&file, dest).unwrap();
    }
}

/// Builds the project in `dir` and runs its fixtures; the fixture summary line.
fn build_and_test(dir: &Path, cache: &Path) -> String {
    let dir = dir.to_str().unwrap();
    // A Rust project builds with its own target folder: this test's cargo holds the
    // suite's, and a nested build waiting for that lock would never finish.
    let out = Command::new(securebase_e2e::binary())
        .args(["plugin", "build", dir])
        .env("SECUREBASE_CACHE_DIR", cache)
        .env("CARGO_TARGET_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-kit-target"))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "build of {dir}:\n{stdout}\n{stderr}");
    assert!(stdout.starts_with("built ") && stdout.contains("dist/"), "{stdout}");
    let out = securebase(&["plugin", "test", dir], cache);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "fixtures of {dir}:\n{stdout}\n{stderr}");
    assert!(!stdout.contains("note:"), "every check is shown passing, failing and not applying: {stdout}");
    stdout.lines().last().unwrap().to_string()
}

/// `plugin new` then `plugin build` then `plugin test`, in each language, in a folder
/// outside this repository: the templates build with what the binary carries and pass
/// their own fixtures, so they cannot rot.
#[test]
fn a_new_project_builds_and_passes_its_fixtures_in_every_language() {
    let cache = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    for lang in ["rust", "python", "js"] {
        let name = format!("acme-{lang}");
        let dir = root.path().join(&name);
        let out = securebase(&["plugin", "new", &name, "--lang", lang, "--dir", dir.to_str().unwrap()], cache.path());
        assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
        for file in ["README.md", "wit/control.wit", "securebase-plugin.toml", ".gitignore"] {
            assert!(dir.join(file).is_file(), "{lang}: {file}");
        }
        let check = format!("acme_{lang}_s3_bucket_owner_tag");
        let summary = build_and_test(&dir, cache.path());
        assert!(summary.starts_with("3 fixtures: 3 passed, 0 failed"), "{lang}: {summary}");
        let inspect = securebase(&["plugin", "inspect", dir.join(format!("dist/{name}.wasm")).to_str().unwrap(), "--json"], cache.path());
        let doc: Value = serde_json::from_slice(&inspect.stdout).unwrap();
        assert_eq!(doc["checks"][0]["id"], check.as_str(), "{lang}");
        let wasi: Vec<&str> =
            doc["imports"].as_array().unwrap().iter().filter_map(|i| i["name"].as_str()).filter(|n| n.starts_with("wasi:")).collect();
        if lang != "rust" {
            assert!(wasi.is_empty(), "{lang}: built without WASI imports: {wasi:?}");
        }
    }
    // A second project where one exists is refused, naming the folder.
    let out =
        securebase(&["plugin", "new", "acme-js", "--lang", "js", "--dir", root.path().join("acme-js").to_str().unwrap()], cache.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("exists and is not empty"), "{:?}", text(&out));
}

/// The examples of plugins/examples (Python, three checks; JavaScript, two), built with
/// componentize-py and jco and run against their fixtures in the sandbox.
#[test]
fn the_python_and_javascript_examples_pass_their_fixtures() {
    let cache = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/examples");
    for (lang, fixtures, checks) in [("python", 7, 3), ("js", 4, 2)] {
        let dir = root.path().join(lang);
        copy_tree(&examples.join(lang), &dir);
        let summary = build_and_test(&dir, cache.path());
        assert!(summary.starts_with(&format!("{fixtures} fixtures: {fixtures} passed, 0 failed")), "{lang}: {summary}");
        let component = dir.join(format!("dist/example-{lang}.wasm"));
        let inspect = securebase(&["plugin", "inspect", component.to_str().unwrap(), "--json"], cache.path());
        let doc: Value = serde_json::from_slice(&inspect.stdout).unwrap();
        assert_eq!(doc["checks"].as_array().map(Vec::len), Some(checks), "{lang}");
    }
}

/// A missing toolchain is one message that says what to install, exit 2.
#[test]
fn a_missing_toolchain_says_what_to_install() {
    let cache = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    assert!(securebase(&["plugin", "new", "p", "--lang", "python", "--dir", dir.to_str().unwrap()], cache.path()).status.success());
    let out =
        Command::new(securebase_e2e::binary()).args(["plugin", "build", dir.to_str().unwrap()]).env("PATH", root.path()).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`componentize-py` is not installed") && stderr.contains("pip install componentize-py==0.25.1"), "{stderr}");
    let out = securebase(&["plugin", "test", dir.to_str().unwrap()], cache.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("not built yet; run securebase plugin build"), "{:?}", text(&out));
}
