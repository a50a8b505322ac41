//! `securebase plugin ...`: the authoring kit's commands (new, build, inspect, test, run,
//! replay, keygen, sign, verify, push). The work is in `securebase-kit` and the runtime; this module
//! reads files, prints, and picks exit statuses.

use super::common::{input, sandbox};
use crate::EXIT_OK;
use crate::args::{
    BuildArgs, InspectArgs, KeygenArgs, LangArg, NewArgs, PluginCommand, PluginRunArgs, PluginTestArgs, PushArgs, ReplayArgs, SignArgs,
    VerifyArgs,
};
use anyhow::{Context, Result, anyhow};
use securebase_kit::project::{Language, Project, ProjectError};
use securebase_kit::replay::{Compared, Focus, Identity, Verdict};
use securebase_kit::{fixtures, signing};
use securebase_reports::terminal_safe as safe;
use securebase_runtime::{LoadError, LoadedPlugin, Runtime};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Exit status when the component or its fixtures fail (refused, mismatch, bad signature).
const EXIT_FAILED: u8 = 1;

pub(crate) fn run(command: PluginCommand) -> Result<u8> {
    match command {
        PluginCommand::New(args) => new(&args),
        PluginCommand::Build(args) => build(&args),
        PluginCommand::Inspect(args) => inspect(&args),
        PluginCommand::Test(args) => test(&args),
        PluginCommand::Run(args) => run_plugin(&args),
        PluginCommand::Keygen(args) => keygen(&args),
        PluginCommand::Sign(args) => sign(&args),
        PluginCommand::Verify(args) => verify(&args),
        PluginCommand::Push(args) => push(&args),
        PluginCommand::Replay(args) => replay(&args),
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("{}: cannot read the component", path.display())).map_err(input)
}

fn name_of(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// Loads the one component a command is about; any refusal is the user's input (exit 2),
/// with the runtime's reason (which import, which version, which metadata field).
fn load(runtime: &Runtime, path: &Path) -> Result<LoadedPlugin> {
    let wasm = read(path)?;
    eprintln!("loading {} ({})...", path.display(), size(wasm.len()));
    runtime.load(&name_of(path), &wasm).map_err(|e| input(anyhow!("{}: {e}", path.display())))
}

fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 { format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20)) } else { format!("{:.1} KiB", bytes as f64 / 1024.0) }
}

fn percent(used: u64, limit: u64) -> String {
    let p = used as f64 * 100.0 / limit.max(1) as f64;
    if p < 0.01 { format!("{p:.4}%") } else { format!("{p:.2}%") }
}

fn inspect(args: &InspectArgs) -> Result<u8> {
    let wasm = read(&args.file)?;
    let runtime = sandbox(&args.sandbox, None)?;
    let found = match runtime.inspect(&name_of(&args.file), &wasm) {
        Ok(found) => found,
        Err(e @ LoadError::Compile { .. }) => {
            return Err(input(anyhow!(
                "{}: {e}; build it as a component (wasm32-wasip2, componentize-py, jco componentize)",
                args.file.display()
            )));
        }
        Err(e) => return Err(input(anyhow!("{}: {e}", args.file.display()))),
    };
    let plugin = found.loaded.as_ref().ok();
    if args.json {
        let checks: Vec<Value> = plugin
            .map(|p| {
                p.info()
                    .checks
                    .iter()
                    .map(|c| json!({"id": c.id, "title": c.title, "severity": c.severity.as_str(), "resource_types": c.resource_types}))
                    .collect()
            })
            .unwrap_or_default();
        let doc = json!({
            "file": args.file.display().to_string(),
            "size": found.size,
            "sha256": found.sha256,
            "imports": found.imports.iter().map(|(n, ok)| json!({"name": n, "allowed": ok})).collect::<Vec<_>>(),
            "exports": found.exports,
            "loads": plugin.is_some(),
            "refused": found.loaded.as_ref().err().map(|e| e.to_string()),
            "contract": plugin.map(|p| p.contract()),
            "name": plugin.map(|p| p.info().name.clone()),
            "version": plugin.map(|p| p.info().version.clone()),
            "checks": checks,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        let mut out =
            format!("{}\n  size      {} ({} bytes)\n  sha256    {}\n", args.file.display(), size(found.size), found.size, found.sha256);
        out.push_str(&format!("  imports   {}\n", found.imports.len()));
        for (name, allowed) in &found.imports {
            out.push_str(&format!("    {}  {}\n", if *allowed { "allowed" } else { "REFUSED" }, safe(name)));
        }
        out.push_str(&format!("  exports   {}\n", found.exports.len()));
        for name in &found.exports {
            out.push_str(&format!("    {}\n", safe(name)));
        }
        match &found.loaded {
            Ok(p) => {
                let i = p.info();
                out.push_str(&format!(
                    "  contract  {}\n  plugin    {} {}, {} checks\n",
                    p.contract(),
                    i.name,
                    safe(&i.version),
                    i.checks.len()
                ));
                for c in &i.checks {
                    out.push_str(&format!(
                        "    {:<8} {}  [{}]\n             {}\n",
                        c.severity.as_str(),
                        c.id,
                        c.resource_types.join(", "),
                        safe(&c.title)
                    ));
                }
                out.push_str("verdict: the sandbox loads it\n");
            }
            Err(e) => out.push_str(&format!("verdict: refused: {}\n", safe(&e.to_string()))),
        }
        print!("{out}");
    }
    Ok(if found.loaded.is_ok() { EXIT_OK } else { EXIT_FAILED })
}

/// The `fixtures` folder of the project a component was built in: the nearest one
/// found walking up from the component (a build writes it under `target/` or `dist/`).
fn fixtures_near(file: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(file).ok()?;
    start.ancestors().skip(1).map(|d| d.join("fixtures")).find(|d| d.is_dir())
}

fn new(args: &NewArgs) -> Result<u8> {
    let language = match args.lang {
        LangArg::Rust => Language::Rust,
        LangArg::Python => Language::Python,
        LangArg::Js => Language::JavaScript,
    };
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from(&args.name));
    let files = securebase_kit::project::create(&dir, &args.name, language).map_err(input)?;
    println!("created {} ({} plugin, {} files)\n", dir.display(), language.as_str(), files.len());
    println!("next:\n  cd {}\n  securebase plugin build\n  securebase plugin test\n\n(the project's README.md says more)", dir.display());
    Ok(EXIT_OK)
}

/// A toolchain that is missing or a manifest that is wrong is the user's to fix (exit 2);
/// a build that ran and failed printed its own messages (exit 1).
fn project_error(e: ProjectError) -> anyhow::Error {
    match e {
        ProjectError::Failed { .. } => anyhow!(e),
        e => input(e),
    }
}

fn build(args: &BuildArgs) -> Result<u8> {
    let project = Project::open(&args.dir).map_err(input)?;
    eprintln!("building {} ({})...", project.name, project.language.as_str());
    let started = std::time::Instant::now();
    let out = project.build().map_err(project_error)?;
    let bytes = std::fs::metadata(&out).map(|m| m.len() as usize).unwrap_or(0);
    println!("built {} ({}) in {:.1} s", out.display(), size(bytes), started.elapsed().as_secs_f64());
    Ok(EXIT_OK)
}

fn test(args: &PluginTestArgs) -> Result<u8> {
    let (file, near) = if args.path.is_dir() {
        let project = Project::open(&args.path).map_err(input)?;
        let file = project.component();
        if !file.exists() {
            return Err(input(anyhow!("{}: not built yet; run securebase plugin build {}", file.display(), args.path.display())));
        }
        (file, Some(args.path.join("fixtures")))
    } else {
        (args.path.clone(), fixtures_near(&args.path))
    };
    let dir = match (&args.fixtures, near) {
        (Some(d), _) => d.clone(),
        (None, Some(d)) => d,
        (None, None) => {
            return Err(input(anyhow!("{}: no `fixtures` folder above the component; name one with --fixtures DIR", file.display())));
        }
    };
    let runtime = sandbox(&args.sandbox, None)?;
    let plugin = load(&runtime, &file)?;
    let loaded = fixtures::load(&dir, &plugin).map_err(input)?;
    let outcomes = fixtures::run(&runtime, &plugin, &loaded);
    let info = plugin.info();
    let mut out =
        format!("{} {}: {} checks, {} fixtures in {}\n", info.name, safe(&info.version), info.checks.len(), outcomes.len(), dir.display());
    let shown = |p: &Path| p.strip_prefix(&dir).unwrap_or(p).display().to_string();
    let status = |s: Option<securebase_runtime::Status>| s.map_or("(no finding)", |s| s.as_str());
    for o in &outcomes {
        out.push_str(&format!(
            "{}  {}  {} resource(s)  fuel {} ({} of the limit)  {:.1} ms\n",
            if o.passed() { "ok  " } else { "FAIL" },
            shown(&o.path),
            o.expected.len(),
            o.fuel_used,
            percent(o.fuel_used, o.fuel_limit),
            o.duration.as_secs_f64() * 1000.0
        ));
        if let Some(e) = &o.error {
            out.push_str(&format!("      the plugin failed on this account: {}\n", safe(e)));
        }
        for (resource, expected, actual) in o.differences() {
            out.push_str(&format!("      - {resource}: expected {}\n      + {resource}: got      {}\n", status(expected), status(actual)));
        }
        if !o.passed() {
            for line in &o.log {
                out.push_str(&format!("      log: {}\n", safe(line)));
            }
        }
    }
    // The built-in plugins' rule: each check is shown passing, failing and not applying.
    for check in &info.checks {
        let missing: Vec<&str> = fixtures::missing_cases(outcomes.iter().filter(|o| o.check == check.id).map(|o| &o.expected))
            .into_iter()
            .map(|case| match case {
                fixtures::Case::Pass => "passes",
                fixtures::Case::Fail => "fails",
                fixtures::Case::NotApplicable => "does not apply",
            })
            .collect();
        if !missing.is_empty() {
            out.push_str(&format!("note: {} has no fixture where it {}\n", check.id, missing.join(", nor where it ")));
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let most = outcomes.iter().map(|o| o.fuel_used).max().unwrap_or(0);
    out.push_str(&format!(
        "{} fixtures: {} passed, {failed} failed; most fuel in one call {most} ({} of the {} limit)\n",
        outcomes.len(),
        outcomes.len() - failed,
        percent(most, runtime.limits().fuel),
        runtime.limits().fuel
    ));
    print!("{out}");
    Ok(if failed == 0 { EXIT_OK } else { EXIT_FAILED })
}

fn run_plugin(args: &PluginRunArgs) -> Result<u8> {
    let snapshot = match &args.inventory {
        Some(dir) => securebase_inventory::load_dir(dir).map_err(input)?,
        None => securebase_inventory::demo(),
    };
    let runtime = sandbox(&args.sandbox, None)?;
    let plugin = load(&runtime, &args.file)?;
    let limit = runtime.limits().fuel;
    let mut accounts = Vec::new();
    let mut text = String::new();
    for account in snapshot.accounts {
        let account = std::sync::Arc::new(account);
        let e = runtime.evaluate(&plugin, &account);
        let ms = e.duration.as_secs_f64() * 1000.0;
        let instantiate_ms = e.instantiate.as_secs_f64() * 1000.0;
        text.push_str(&format!(
            "account {}  fuel {} ({} of the limit)  {ms:.1} ms (instantiation {instantiate_ms:.1} ms)\n",
            e.account_id,
            e.fuel_used,
            percent(e.fuel_used, limit)
        ));
        let (findings, error) = match &e.result {
            Ok(f) => (f.as_slice(), None),
            Err(err) => (&[][..], Some(err.to_string())),
        };
        for f in findings {
            text.push_str(&format!(
                "  {:<14} {}  {} {}  {}\n",
                f.status.as_str(),
                f.check_id,
                f.resource_type,
                f.resource_id,
                safe(&f.message)
            ));
        }
        if let Some(err) = &error {
            text.push_str(&format!("  the plugin failed: {}\n", safe(err)));
        }
        for line in &e.log {
            text.push_str(&format!("  log: {}\n", safe(line)));
        }
        accounts.push(json!({
            "account_id": e.account_id,
            "fuel_used": e.fuel_used,
            "fuel_limit": limit,
            "duration_ms": ms,
            "instantiate_ms": instantiate_ms,
            "error": error,
            "log": e.log,
            "findings": findings.iter().map(|f| json!({
                "check_id": f.check_id, "resource_type": f.resource_type, "resource_id": f.resource_id,
                "region": f.region, "status": f.status.as_str(), "message": f.message,
            })).collect::<Vec<_>>(),
        }));
    }
    let failed = accounts.iter().filter(|a| !a["error"].is_null()).count();
    if args.json {
        let info = plugin.info();
        let doc =
            json!({"plugin": info.name, "version": info.version, "sha256": info.sha256, "source": snapshot.source, "accounts": accounts});
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        print!("{text}");
    }
    Ok(if failed == 0 { EXIT_OK } else { EXIT_FAILED })
}

fn keygen(args: &KeygenArgs) -> Result<u8> {
    let public = signing::keygen(&args.out).map_err(input)?;
    println!(
        "secret key: {} (keep it; never upload it)\npublic key: {}\n\nRegister the public key with the service:\n  \
         curl -X POST \"$SERVER/v1/tenants/$TENANT/signing-keys\" -H \"Authorization: Bearer $SECUREBASE_API_KEY\" \\\n    \
         -H 'Content-Type: application/json' -d '{{\"public_key\": \"{public}\"}}'",
        args.out.display(),
        signing::public_path(&args.out).display()
    );
    Ok(EXIT_OK)
}

fn sign(args: &SignArgs) -> Result<u8> {
    let wasm = read(&args.file)?;
    let signature = signing::sign(&wasm, &args.key).map_err(input)?;
    let out = args.out.clone().unwrap_or_else(|| signing::signature_path(&args.file));
    super::common::write_atomically(&out, format!("{signature}\n").as_bytes())?;
    println!("{}  (send it as X-SecureBase-Signature; `securebase plugin push` does)", out.display());
    Ok(EXIT_OK)
}

fn verify(args: &VerifyArgs) -> Result<u8> {
    let signature = args.signature.clone().unwrap_or_else(|| signing::signature_path(&args.file));
    match signing::verify(&args.file, &signature, &args.public_key) {
        Ok(()) => {
            println!("ok: {} is signed by {}", args.file.display(), args.public_key.display());
            Ok(EXIT_OK)
        }
        Err(e @ signing::SigningError::Mismatch { .. }) => {
            eprintln!("error: {e}");
            Ok(EXIT_FAILED)
        }
        Err(e) => Err(input(e)),
    }
}

/// The tenant's API key: from the environment only (flags end up in shell history).
fn api_key() -> Result<String> {
    std::env::var("SECUREBASE_API_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| input(anyhow!("set SECUREBASE_API_KEY to the tenant's API key (it is never taken as a flag)")))
}

/// `{server}/v1/tenants/{tenant}{rest}` as a URI, refusing what is not an http(s) URL.
fn tenant_uri(server: &str, tenant: &str, rest: &str) -> Result<hyper::Uri> {
    let url = format!("{}/v1/tenants/{tenant}{rest}", server.trim_end_matches('/'));
    let uri: hyper::Uri = url.parse().map_err(|e| input(anyhow!("--server {server}: not a URL ({e})")))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(input(anyhow!("--server {server}: expected an http:// or https:// URL")));
    }
    Ok(uri)
}

/// The service's reason for a refusal (its error message, or the body as it came).
fn refusal(body: &[u8]) -> String {
    let doc: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    doc["error"]["message"].as_str().map(str::to_string).unwrap_or_else(|| String::from_utf8_lossy(body).into_owned())
}

fn push(args: &PushArgs) -> Result<u8> {
    let key = api_key()?;
    let wasm = read(&args.file)?;
    let signature = match &args.signature {
        Some(path) => {
            Some(std::fs::read_to_string(path).with_context(|| format!("{}: cannot read the signature", path.display())).map_err(input)?)
        }
        None => std::fs::read_to_string(signing::signature_path(&args.file)).ok(),
    };
    let uri = tenant_uri(&args.server, &args.tenant, "/plugins")?;
    eprintln!("uploading {} ({}) to {uri}...", args.file.display(), size(wasm.len()));
    let mut request = hyper::Request::post(uri)
        .header(hyper::header::AUTHORIZATION, format!("Bearer {key}"))
        .header(hyper::header::CONTENT_TYPE, "application/wasm");
    if let Some(sig) = &signature {
        request = request.header("X-SecureBase-Signature", sig.trim());
    }
    let (status, body) = call(request.body(bytes::Bytes::from(wasm))?)?;
    if status.is_success() {
        let doc: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let checks: Vec<&str> = doc["checks"].as_array().into_iter().flatten().filter_map(|c| c["id"].as_str()).collect();
        println!(
            "{} {} {} ({}): sha256 {}, checks: {}",
            if status == hyper::StatusCode::CREATED { "uploaded" } else { "already there:" },
            doc["name"].as_str().unwrap_or("?"),
            doc["version"].as_str().unwrap_or("?"),
            status,
            doc["sha256"].as_str().unwrap_or("?"),
            checks.join(", ")
        );
        return Ok(EXIT_OK);
    }
    eprintln!("error: the service refused the plugin ({status}): {}", safe(&refusal(&body)));
    Ok(EXIT_FAILED)
}

/// Sends one request to the service and reads the whole answer.
fn call(request: hyper::Request<bytes::Bytes>) -> Result<(hyper::StatusCode, Vec<u8>)> {
    use http_body_util::BodyExt as _;
    let uri = request.uri().clone();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .context("no CA certificates on this machine for https://")?
            .https_or_http()
            .enable_http1()
            .build();
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
        let request = request.map(http_body_util::Full::new);
        let response = client.request(request).await.with_context(|| format!("cannot reach {uri}"))?;
        let status = response.status();
        let body = response.into_body().collect().await.context("reading the service's answer")?.to_bytes();
        Ok((status, body.to_vec()))
    })
}

/// A GET of the tenant's API that must succeed: a refusal is unusable input (exit 2).
fn fetch(server: &str, tenant: &str, rest: &str, key: &str) -> Result<Vec<u8>> {
    let uri = tenant_uri(server, tenant, rest)?;
    let request =
        hyper::Request::get(uri.clone()).header(hyper::header::AUTHORIZATION, format!("Bearer {key}")).body(bytes::Bytes::new())?;
    let (status, body) = call(request)?;
    if !status.is_success() {
        return Err(input(anyhow!("{uri}: the service answered {status}: {}", safe(&refusal(&body)))));
    }
    Ok(body)
}

/// A component file, or a built-in plugin by its name (`s3` or `s3.wasm`).
fn load_named(runtime: &Runtime, name: &str) -> Result<LoadedPlugin> {
    let path = Path::new(name);
    if path.exists() {
        return load(runtime, path);
    }
    let builtin = securebase_builtin_plugins::PLUGINS.iter().find(|(file, _)| *file == name || file.strip_suffix(".wasm") == Some(name));
    match builtin {
        Some((file, bytes)) => runtime.load(file, bytes).map_err(|e| anyhow!("built-in plugin {file}: {e}")),
        None => {
            let names: Vec<&str> = securebase_builtin_plugins::PLUGINS.iter().map(|(f, _)| f.trim_end_matches(".wasm")).collect();
            Err(input(anyhow!("{name}: no such file, and not a built-in plugin (one of: {})", names.join(", "))))
        }
    }
}

/// The scan document and the inventory it evaluated, from a file or from the service.
fn scan_and_inventory(args: &ReplayArgs) -> Result<(securebase_scan::ScanReport, securebase_inventory::Snapshot)> {
    let Some(server) = &args.server else {
        let path = Path::new(&args.scan);
        let text =
            std::fs::read_to_string(path).with_context(|| format!("{}: cannot read the scan document", path.display())).map_err(input)?;
        let report: securebase_scan::ScanReport = serde_json::from_str(&text)
            .map_err(|e| input(anyhow!("{}: not a scan document (securebase scan --format json): {e}", path.display())))?;
        let snapshot = report.carried_inventory().map_err(|e| input(anyhow!("{}: {e}", path.display())))?;
        return Ok((report, snapshot));
    };
    let tenant = args.tenant.as_deref().expect("clap requires --tenant with --server");
    let key = api_key()?;
    let scan = &args.scan;
    eprintln!("fetching scan {scan} and its inventory from {server}...");
    let document = fetch(server, tenant, &format!("/scans/{scan}/document"), &key)?;
    let report: securebase_scan::ScanReport =
        serde_json::from_slice(&document).map_err(|e| anyhow!("scan {scan}: the service's document is unreadable: {e}"))?;
    let inventory = fetch(server, tenant, &format!("/scans/{scan}/inventory"), &key)?;
    let documents: Vec<Value> =
        serde_json::from_slice(&inventory).map_err(|e| anyhow!("scan {scan}: the service's inventory is unreadable: {e}"))?;
    let snapshot =
        securebase_scan::KeptInventory::from_documents(documents).verified_for(&report).map_err(|e| input(anyhow!("scan {scan}: {e}")))?;
    Ok((report, snapshot))
}

fn replay(args: &ReplayArgs) -> Result<u8> {
    let (report, snapshot) = scan_and_inventory(args)?;
    let runtime = sandbox(&args.sandbox, None)?;
    let plugin = load_named(&runtime, &args.plugin)?;
    let info = plugin.info();
    if let Some(check) = &args.check
        && info.check(check).is_none()
    {
        let ids: Vec<&str> = info.checks.iter().map(|c| c.id.as_str()).collect();
        return Err(input(anyhow!("--check {check}: {} has no such check (it has: {})", info.name, ids.join(", "))));
    }
    let focus = Focus { check: args.check.clone(), resource: args.resource.clone() };
    let identity = securebase_kit::replay::identity(&report, info);
    let mut text = format!(
        "replaying {} {} (sha256 {}) on {} account(s) of the scan started {} ({}); inventory sha256 {} verified\n",
        info.name,
        info.version,
        &info.sha256[..16],
        snapshot.accounts.len(),
        report.started_at,
        safe(&report.source),
        report.inventory_sha256.as_deref().map_or("", |s| &s[..16]),
    );
    text.push_str(&match &identity {
        Identity::SameComponent => "this is the component the scan ran: every finding should be reproduced\n".to_string(),
        Identity::OtherVersion { version, sha256 } => format!(
            "the scan ran {} {version} (sha256 {}), not this component: differences may be the change between them\n",
            info.name,
            &sha256[..sha256.len().min(16)]
        ),
        Identity::NotInScan => format!("the scan did not run a plugin named {}: every finding is new\n", info.name),
    });
    let limit = runtime.limits().fuel;
    let (mut counts, mut failed, mut accounts) = ([0usize; 4], 0usize, vec![]);
    for account in snapshot.accounts {
        let account = std::sync::Arc::new(account);
        let e = runtime.evaluate(&plugin, &account);
        let compared = securebase_kit::replay::compare(&report, info, &e, &focus);
        text.push_str(&format!(
            "account {}  fuel {} ({} of the limit)  {:.1} ms\n",
            e.account_id,
            e.fuel_used,
            percent(e.fuel_used, limit),
            e.duration.as_secs_f64() * 1000.0
        ));
        if let Err(err) = &e.result {
            failed += 1;
            text.push_str(&format!("  the plugin failed: {}\n", safe(&err.to_string())));
        }
        for c in &compared {
            counts[c.verdict() as usize] += 1;
            text.push_str(&line(c));
        }
        accounts.push(json!({
            "account_id": e.account_id,
            "fuel_used": e.fuel_used,
            "error": e.result.as_ref().err().map(ToString::to_string),
            "findings": compared.iter().map(|c| json!({
                "check_id": c.check_id, "resource_type": c.resource_type, "resource_id": c.resource_id, "region": c.region,
                "verdict": c.verdict().as_str(),
                "recorded": c.recorded.as_ref().map(|o| json!({"status": o.status, "message": o.message})),
                "replayed": c.replayed.as_ref().map(|o| json!({"status": o.status, "message": o.message})),
            })).collect::<Vec<_>>(),
        }));
    }
    let [same, changed, new, gone] = counts;
    if same + changed + new + gone == 0 && (focus.check.is_some() || focus.resource.is_some()) {
        return Err(input(anyhow!(
            "no finding of {} in the scan or the replay: check the --check and --resource ids",
            [focus.check.as_deref().map(|c| format!("check {c}")), focus.resource.as_deref().map(|r| format!("resource {r}"))]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" on ")
        )));
    }
    let recorded = same + changed + gone;
    text.push_str(&format!(
        "{same} of {recorded} recorded finding(s) reproduced; {changed} changed, {new} new, {gone} gone{}\n",
        if failed > 0 { format!("; the plugin failed on {failed} account(s)") } else { String::new() }
    ));
    if args.json {
        let doc = json!({
            "plugin": info.name, "version": info.version, "sha256": info.sha256,
            "same_component": identity == Identity::SameComponent,
            "inventory_sha256": report.inventory_sha256,
            "summary": {"same": same, "changed": changed, "new": new, "gone": gone, "failed_accounts": failed},
            "accounts": accounts,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        print!("{text}");
    }
    Ok(if changed + new + gone + failed == 0 { EXIT_OK } else { EXIT_FAILED })
}

/// One compared finding: one line when reproduced, the recorded and replayed outcomes otherwise.
fn line(c: &Compared) -> String {
    let what = format!("{} {} {}", c.check_id, c.resource_type, safe(&c.resource_id));
    let outcome = |o: &securebase_kit::replay::Outcome| format!("{:<14} {}", o.status, safe(&o.message));
    match (c.verdict(), &c.recorded, &c.replayed) {
        (Verdict::Same, Some(o), _) => format!("  same     {what}  {}\n", outcome(o)),
        (Verdict::Changed, Some(a), Some(b)) => {
            format!("  CHANGED  {what}\n           recorded: {}\n           replayed: {}\n", outcome(a), outcome(b))
        }
        (Verdict::New, _, Some(b)) => format!("  NEW      {what}\n           replayed: {}\n", outcome(b)),
        (_, Some(a), _) => format!("  GONE     {what}\n           recorded: {}\n", outcome(a)),
        _ => unreachable!("a compared finding was recorded or replayed"),
    }
}
