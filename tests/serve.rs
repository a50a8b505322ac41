//! `securebase serve` as a newcomer runs it (README, "The service"): the real binary on
//! a loopback port, spoken to over HTTP, on SQLite (the default) and on PostgreSQL.
//! Bootstrap admin key from the first start, tenant creation, a demo scan, the
//! compliance report and findings with the tenant key, the PDF read back with poppler,
//! then a graceful stop on SIGTERM.

use securebase_e2e::server::{Server, bootstrap_key};
use securebase_metrics::sample;
use securebase_store::Backend;
use securebase_store::testing::{empty, fresh};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    securebase_e2e::pdftotext(&path)
}

async fn the_readme_flow(backend: Backend) {
    let cache = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let db = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(fresh(Backend::Postgres).await),
    };
    let db_args: Vec<String> = match &db {
        None => vec![],
        Some(db) => vec!["--database-url".into(), db.service_url.clone(), "--migration-database-url".into(), db.url.clone()],
    };
    let args: Vec<&str> = db_args.iter().map(String::as_str).collect();
    let (server, before) = tokio::task::block_in_place(|| Server::start(&args, cache.path(), cwd.path()));
    let admin = bootstrap_key(&before, cwd.path());
    if backend == Backend::Sqlite {
        assert!(cwd.path().join("securebase.db").exists(), "the default database is securebase.db in the working directory");
    }

    tokio::task::block_in_place(|| {
        let (status, health) = server.json("GET", "/healthz", "", None);
        assert_eq!((status, health["database"].as_str()), (200, Some(if db.is_some() { "postgres" } else { "sqlite" })));
        let (status, tenant) = server.json(
            "POST",
            "/v1/tenants",
            &admin,
            Some(&json!({"name": "Acme Health", "tier": "healthcare", "framework": "hipaa", "organization": "Acme Health, Inc.",
                          "contact_email": "ciso@acme-health.example", "billing_code": "ACME-01"})),
        );
        assert_eq!(status, 201, "{tenant}");
        let id = tenant["id"].as_str().unwrap();
        let key = tenant["api_key"]["token"].as_str().unwrap();

        let (status, scan) = server.json("POST", &format!("/v1/tenants/{id}/scans?wait=true"), key, Some(&json!({"source": "demo"})));
        assert_eq!((status, scan["status"].as_str()), (201, Some("succeeded")), "{scan}");
        let scan_id = scan["id"].as_str().unwrap();

        let (status, report) = server.json("GET", &format!("/v1/tenants/{id}/compliance-report"), key, None);
        assert_eq!(status, 200, "{report}");
        let (status, findings) = server.json("GET", &format!("/v1/tenants/{id}/findings?status=fail&framework=hipaa&limit=500"), key, None);
        assert_eq!(status, 200);
        assert_eq!(findings["total"], report["failing_findings_total"]);

        let (status, head, pdf) = server.request("GET", &format!("/v1/tenants/{id}/scans/{scan_id}/report.pdf"), Some(key), None);
        assert_eq!(status, 200);
        assert!(head.contains("content-type: application/pdf"));
        let text = pdftotext(&pdf);
        let s = &report["summary"];
        let score = format!("{:.1}%", s["score"].as_f64().unwrap());
        assert!(text.contains(&score), "the PDF shows the score {score}");
        assert!(text.contains("Acme Health, Inc."), "the PDF names the organization");
        for f in report["failing_findings"].as_array().unwrap().iter().take(5) {
            assert!(text.contains(f["check_id"].as_str().unwrap()) || text.contains(f["check_title"].as_str().unwrap()));
        }
        // The in-process worker's scan and the requests so far are in the API's /metrics.
        let (status, _, text) = server.request("GET", "/metrics", None, None);
        let text = String::from_utf8(text).unwrap();
        assert_eq!(status, 200, "{text}");
        assert!(sample(&text, r#"securebase_scans_finished_total{source="demo"}"#) >= Some(1.0), "{text}");
        assert_eq!(sample(&text, r#"securebase_http_requests_total{method="POST",route="/v1/tenants",status="201"}"#), Some(1.0), "{text}");
        let (_, audit) = server.json("GET", &format!("/v1/tenants/{id}/audit"), key, None);
        let actions: Vec<_> = audit["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"report.download:report.pdf"), "{actions:?}");
        assert!(audit["items"].as_array().unwrap().iter().all(|r| r["source"] == "127.0.0.1"), "the client address is recorded");

        // A scan in hand when SIGTERM comes is finished before the process exits; one still
        // queued is run after the restart. Either way it is not lost.
        let (status, pending) = server.json("POST", &format!("/v1/tenants/{id}/scans"), key, Some(&json!({"source": "demo"})));
        assert_eq!(status, 202);
        let pending_id = pending["id"].as_str().unwrap().to_string();
        let (status, lines) = server.stop();
        assert!(status.success(), "graceful stop exits 0: {lines:#?}");
        // Restart on the same database: the key still works, the scan finished, no new admin key printed.
        let (server, before) = Server::start(&args, cache.path(), cwd.path());
        assert!(!before.iter().any(|l| l.contains("sb_k_")), "the bootstrap key is printed once only: {before:#?}");
        let mut row = Value::Null;
        for _ in 0..600 {
            let (status, now) = server.json("GET", &format!("/v1/tenants/{id}/scans/{pending_id}"), key, None);
            assert_eq!(status, 200);
            row = now;
            if row["status"] == "succeeded" || row["status"] == "failed" {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(row["status"].as_str(), Some("succeeded"), "{row}");
        assert_eq!(row["attempts"].as_i64(), Some(1), "run once: {row}");
        server.stop();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_serves_scans_and_reads_reports_on_sqlite() {
    the_readme_flow(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_serves_scans_and_reads_reports_on_postgres() {
    the_readme_flow(Backend::Postgres).await;
}

/// schemathesis (installed by `tests/run`) against the served OpenAPI document, every
/// check on: no server error, every status and body as documented, schema-valid
/// requests accepted and invalid ones refused. Webhooks can be set to any URL the schema
/// allows (`--webhook-allow-private`: the document does not know the egress rules) but
/// this process delivers none (`--no-webhook-delivery`, and no worker runs), so no
/// generated URL is ever called; AWS is pointed at a closed loopback port. It sends
/// thousands of requests without a valid key from one address on purpose, so the
/// per-address limit on those is off (`--anonymous-rate-limit 0`; `api.rs` tests it).
#[test]
fn the_served_api_conforms_to_its_document_under_schemathesis() {
    let version = Command::new("schemathesis").arg("--version").output();
    assert!(
        version.as_ref().is_ok_and(|o| o.status.success()),
        "schemathesis does not run ({version:?}); tests/run installs it (pip install schemathesis==4.32.5)"
    );
    let (cache, cwd) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let admin = "sb_k_5ec0ffee5ec0ffee5ec0_5ec0ffee5ec0ffee5ec0ffee5ec0ffee5ec0ffee";
    let (server, _) = Server::start_with(
        &[
            "--rate-limit",
            "0",
            "--anonymous-rate-limit",
            "0",
            "--workers",
            "1",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--no-webhook-delivery",
            "--webhook-allow-private",
        ],
        cache.path(),
        cwd.path(),
        &[("SECUREBASE_ADMIN_KEY", admin), ("SECUREBASE_SECRET_KEY", "schemathesis-run-secret-key-0123456789")],
    );
    let hooks = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemathesis");
    let out = Command::new("schemathesis")
        .current_dir(cwd.path())
        .env("PYTHONPATH", &hooks)
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .args(["--no-color", "--config-file", hooks.join("schemathesis.toml").to_str().unwrap()])
        .args(["run", &format!("http://{}/v1/openapi.json", server.addr), "--checks", "all"])
        .args(["-H", &format!("Authorization: Bearer {admin}")])
        .args(["--max-examples", "40", "--seed", "20261202", "--workers", "1", "--request-timeout", "60"])
        .args(["--generation-database", "none"])
        .output()
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{report}\n{}", String::from_utf8_lossy(&out.stderr));
    // Every operation of the document was tested.
    let (_, _, doc) = server.request("GET", "/v1/openapi.json", None, None);
    let doc: Value = serde_json::from_slice(&doc).unwrap();
    let operations: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
    assert!(operations >= 30, "{operations}");
    // schemathesis leaves out the route it read the document from.
    let tested = operations - 1;
    assert!(report.contains(&format!("Selected: {tested}/{tested}\n  Tested: {tested}\n")), "not every operation was tested:\n{report}");
    assert!(out.status.success(), "schemathesis found failures (its report is above)");
    let (status, _) = server.stop();
    assert!(status.success());
}

/// A tenant's own accounts, collected live (from moto on loopback, through a proxy that
/// records what goes on the wire) and scanned by the service: the role is assumed with
/// the tenant's external ID and a session name carrying its id; a role whose trust
/// policy refuses the service gives the tenant an error that names neither the
/// service's account nor its principal.
#[test]
fn a_tenant_s_accounts_are_collected_and_scanned() {
    use securebase_e2e::moto::{Server as Proxy, free_port, script};
    let moto = securebase_e2e::moto::Moto::start();
    moto.seed();
    let (cache, cwd) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let wire = cwd.path().join("wire.txt");
    let port = free_port();
    let proxy = Proxy::spawn(
        "the recording proxy",
        port,
        &[
            script("proxy.py").to_str().unwrap(),
            &port.to_string(),
            moto.url(),
            wire.to_str().unwrap(),
            "record=AssumeRole",
            "deny=role/Refusing",
        ],
        &[],
    );
    let envs = [("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"), ("AWS_EC2_METADATA_DISABLED", "true")];
    let (server, before) = Server::start_with(&["--endpoint-url", &proxy.url], cache.path(), cwd.path(), &envs);
    let admin = bootstrap_key(&before, cwd.path());
    let (status, tenant) = server.json(
        "POST",
        "/v1/tenants",
        &admin,
        Some(&json!({"name": "Mock", "tier": "standard", "framework": "cis-aws-foundations", "organization": "Mock Co",
                      "contact_email": "ops@mock.example", "billing_code": "M-1",
                      "accounts": [{"account_id": "123456789012", "regions": ["us-east-1"],
                                    "role_arn": "arn:aws:iam::123456789012:role/SecureBaseReadOnly"}]})),
    );
    assert_eq!(status, 201, "{tenant}");
    let (id, key) = (tenant["id"].as_str().unwrap(), tenant["api_key"]["token"].as_str().unwrap());
    let (status, scan) = server.json("POST", &format!("/v1/tenants/{id}/scans?wait=true"), key, Some(&json!({"source": "accounts"})));
    assert_eq!((status, scan["status"].as_str(), scan["source"].as_str()), (201, Some("succeeded"), Some("accounts")), "{scan}");
    assert_eq!(scan["accounts"].as_i64(), Some(1), "{scan}");
    // moto does not serve IAM Access Analyzer or SSM's DescribeInstanceInformation, and
    // answers Macie with a timestamp the SDK refuses (see tests/collect.rs): the note says
    // so, service by service, and nothing else is missing.
    let note = scan["error"].as_str().unwrap();
    for missing in [
        "access-analyzer [us-east-1]: ListAnalyzers",
        "macie2 [us-east-1]: GetMacieSession",
        "ssm [us-east-1]: DescribeInstanceInformation",
    ] {
        assert_eq!(note.matches(missing).count(), 1, "{missing}: {note}");
    }
    assert!(note.starts_with("collected with 3 error(s): account 123456789012 access-analyzer"), "{note}");
    let (_, f) = server.json("GET", &format!("/v1/tenants/{id}/findings?check=s3_bucket_public_access&status=fail"), key, None);
    let failing: Vec<&str> = f["items"].as_array().unwrap().iter().map(|x| x["resource_id"].as_str().unwrap()).collect();
    assert_eq!(failing, ["bad-bucket"]);
    // Its progress stream, read over HTTP after the fact, tells the same story.
    let (status, _, body) =
        server.request("GET", &format!("/v1/tenants/{id}/scans/{}/events", scan["id"].as_str().unwrap()), Some(key), None);
    assert_eq!(status, 200);
    let body = String::from_utf8(body).unwrap();
    let kinds: Vec<&str> = body.lines().filter_map(|l| l.strip_prefix("event:")).map(str::trim).collect();
    assert_eq!(kinds.first(), Some(&"queued"), "{body}");
    assert_eq!(kinds.last(), Some(&"finished"), "{body}");
    let collected = body.lines().skip_while(|l| !l.starts_with("event: accounts_collected")).nth(1).unwrap_or_default();
    assert!(collected.contains(r#""account_id":"123456789012""#) && collected.contains(r#""errors":3"#), "{body}");
    assert!(kinds.contains(&"account_evaluated"), "{body}");

    // What went on the wire: every AssumeRole of this tenant carried its external ID.
    let external_id = tenant["aws_external_id"].as_str().unwrap();
    assert!(external_id.starts_with("sb-") && external_id.len() == 35, "{external_id}");
    let calls = std::fs::read_to_string(&wire).unwrap();
    let assumed: Vec<&str> = calls.lines().filter_map(|l| l.strip_prefix("AssumeRole ")).collect();
    assert!(!assumed.is_empty(), "no AssumeRole went through the proxy");
    for form in &assumed {
        assert!(form.contains(&format!("ExternalId={external_id}")), "{form}");
        assert!(form.contains(&format!("RoleSessionName=securebase-{id}")), "{form}");
    }
    // Rotated by an admin: the next scan sends the new one.
    let (status, t) = server.json("GET", &format!("/v1/tenants/{id}"), key, None);
    assert_eq!((status, t["aws_external_id"].as_str()), (200, Some(external_id)));
    let (status, _) = server.json("POST", &format!("/v1/tenants/{id}/aws-external-id"), key, None);
    assert_eq!(status, 403, "a tenant cannot choose or rotate its own");
    let (status, rotated) = server.json("POST", &format!("/v1/tenants/{id}/aws-external-id"), &admin, None);
    let new_id = rotated["aws_external_id"].as_str().unwrap();
    assert_eq!(status, 200);
    assert_ne!(new_id, external_id);
    std::fs::write(&wire, "").unwrap();
    let (status, scan) = server.json("POST", &format!("/v1/tenants/{id}/scans?wait=true"), key, Some(&json!({"source": "accounts"})));
    assert_eq!((status, scan["status"].as_str()), (201, Some("succeeded")), "{scan}");
    let calls = std::fs::read_to_string(&wire).unwrap();
    assert!(calls.contains(&format!("ExternalId={new_id}")) && !calls.contains(external_id), "{calls}");

    // A role that refuses the service: the tenant learns what to fix, not who the service is.
    let (status, refused) = server.json(
        "PATCH",
        &format!("/v1/tenants/{id}"),
        &admin,
        Some(&json!({"accounts": [{"account_id": "123456789012", "role_arn": "arn:aws:iam::123456789012:role/Refusing"}]})),
    );
    assert_eq!(status, 200, "{refused}");
    let (status, scan) = server.json("POST", &format!("/v1/tenants/{id}/scans?wait=true"), key, Some(&json!({"source": "accounts"})));
    assert_eq!((status, scan["status"].as_str()), (201, Some("failed")), "{scan}");
    let error = scan["error"].as_str().unwrap();
    assert!(error.contains("cannot assume arn:aws:iam::123456789012:role/Refusing") && error.contains("external ID"), "{error}");
    assert!(!error.contains("999988887777") && !error.contains("securebase-service"), "the service's identity leaked: {error}");
    assert!(std::fs::read_to_string(&wire).unwrap().contains("role%2FRefusing"), "the refusal came from the proxy");

    // An account without a role would be collected with the service's own credentials.
    let (status, e) =
        server.json("PATCH", &format!("/v1/tenants/{id}"), &admin, Some(&json!({"accounts": [{"account_id": "123456789012"}]})));
    assert_eq!((status, e["error"]["code"].as_str()), (422, Some("role_arn_required")), "{e}");
    server.stop();
}

/// A plain GET to `addr`: the status and the body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let (status, _, body) = securebase_e2e::server::request(addr, "GET", path, None, None);
    (status, String::from_utf8(body).unwrap())
}

/// The address a process printed its metrics listener on ("Metrics on http://ADDR/metrics").
fn metrics_addr(lines: &std::sync::mpsc::Receiver<String>) -> String {
    loop {
        let line = lines.recv_timeout(Duration::from_secs(300)).expect("a metrics line");
        if let Some(rest) = line.strip_prefix("Metrics on http://") {
            return rest.split('/').next().unwrap().to_string();
        }
    }
}

/// A `securebase worker` process with its metrics on a port of its own, killed when dropped.
struct Worker {
    child: std::process::Child,
    metrics: String,
    // Kept until the end: a dropped receiver would stop the reading, and the worker block on a full pipe.
    _stderr: std::sync::mpsc::Receiver<String>,
}

impl Worker {
    fn start(args: &[&str], cache: &std::path::Path, cwd: &std::path::Path) -> Self {
        let mut child = Command::new(securebase_e2e::binary())
            .arg("worker")
            .args(args)
            .args(["--metrics-listen", "127.0.0.1:0"])
            .env("SECUREBASE_CACHE_DIR", cache)
            .env_remove("SECUREBASE_SECRET_KEY")
            .env_remove("SECUREBASE_MIGRATION_DATABASE_URL")
            .current_dir(cwd)
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let lines = securebase_e2e::server::stderr_lines(&mut child);
        let metrics = metrics_addr(&lines);
        Self { child, metrics, _stderr: lines }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates a tenant named `name` and runs a demo scan for it, which a worker process
/// must take (the service runs none); returns the tenant's id.
fn demo_scan_by_a_new_tenant(server: &Server, admin: &str, name: &str) -> String {
    let lower = name.to_lowercase();
    let (status, tenant) = server.json(
        "POST",
        "/v1/tenants",
        admin,
        Some(&json!({"name": name, "tier": "standard", "framework": "soc2", "organization": format!("{name} Inc."),
                      "contact_email": format!("ops@{lower}.example"), "billing_code": "M-1"})),
    );
    assert_eq!(status, 201, "{tenant}");
    let (id, key) = (tenant["id"].as_str().unwrap(), tenant["api_key"]["token"].as_str().unwrap());
    let (status, scan) = server.json("POST", &format!("/v1/tenants/{id}/scans?wait=true"), key, Some(&json!({"source": "demo"})));
    assert_eq!((status, scan["status"].as_str()), (201, Some("succeeded")), "a worker process ran it: {scan}");
    id.to_string()
}

/// An operator's deployment in small: `serve --workers 0` and a separate `worker`, each
/// with its metrics on a listener of its own. After a scan and some API calls, the
/// service's counters show the requests by route template and status (no ids), the
/// worker's show the scan; both are ready; the API's own /metrics is then a 404.
#[test]
fn metrics_of_the_service_and_of_a_worker_move_with_requests_and_scans() {
    let (cache, cwd) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (server, before) = Server::start(&["--workers", "0", "--metrics-listen", "127.0.0.1:0"], cache.path(), cwd.path());
    let admin = bootstrap_key(&before, cwd.path());
    let service_metrics = metrics_addr(&server.stderr);
    let database = format!("sqlite:{}", cwd.path().join("securebase.db").display());
    let worker = Worker::start(&["--database-url", &database], cache.path(), cwd.path());
    let id = demo_scan_by_a_new_tenant(&server, &admin, "Metered");
    for _ in 0..3 {
        assert_eq!(server.json("GET", "/v1/tenants/t_nobody", &admin, None).0, 404);
    }

    assert_eq!(server.request("GET", "/metrics", None, None).0, 404, "the API's /metrics moved to --metrics-listen");
    let (status, text) = get(&service_metrics, "/metrics");
    assert_eq!(status, 200, "{text}");
    for (series, value) in [
        (r#"securebase_http_requests_total{method="POST",route="/v1/tenants",status="201"}"#, 1.0),
        (r#"securebase_http_requests_total{method="POST",route="/v1/tenants/{id}/scans",status="201"}"#, 1.0),
        (r#"securebase_http_requests_total{method="GET",route="/v1/tenants/{id}",status="404"}"#, 3.0),
        (r#"securebase_http_request_duration_seconds_count{method="GET",route="/v1/tenants/{id}"}"#, 3.0),
        (r#"securebase_http_requests_total{method="GET",route="/metrics",status="404"}"#, 1.0),
        (r#"securebase_queue_depth{status="queued"}"#, 0.0),
        (r#"securebase_queue_depth{status="running"}"#, 0.0),
    ] {
        assert_eq!(sample(&text, series), Some(value), "{series} in\n{text}");
    }
    assert!(!text.contains("t_nobody") && !text.contains(&id), "no tenant id in a label:\n{text}");
    assert!(!text.contains("securebase_scans_started_total"), "the service ran no scan itself:\n{text}");

    // The worker counts a scan once it has stored it, a moment after the API shows it.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let (status, text) = loop {
        let (status, text) = get(&worker.metrics, "/metrics");
        if status != 200 || sample(&text, r#"securebase_scans_finished_total{source="demo"}"#) >= Some(1.0) {
            break (status, text);
        }
        assert!(std::time::Instant::now() < deadline, "the worker never counted the scan:\n{text}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status, 200, "{text}");
    for series in [
        r#"securebase_scans_started_total{source="demo"}"#,
        r#"securebase_scans_finished_total{source="demo"}"#,
        r#"securebase_scan_duration_seconds_count{source="demo"}"#,
    ] {
        assert_eq!(sample(&text, series), Some(1.0), "{series} in\n{text}");
    }
    assert!(sample(&text, "securebase_plugin_fuel_used_total") > Some(1000.0), "{text}");
    for addr in [&service_metrics, &worker.metrics, &server.addr] {
        let (status, body) = get(addr, "/readyz");
        assert_eq!((status, body.contains("ready")), (200, true), "{addr}: {body}");
    }
    drop(worker);
    server.stop();
}

/// The Helm chart's order: `securebase migrate` as the tables' owner, then `serve` and
/// `worker` with --no-migrate logged in as securebase_app, which could not migrate. Before
/// the job, a service refuses to start and names the command; the job applies every
/// migration once and a second run applies nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_job_prepares_the_database_for_services_that_do_not_migrate() {
    let db = empty(Backend::Postgres).await;
    let (cache, cwd) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = Command::new(securebase_e2e::binary());
        c.args(args).current_dir(cwd.path()).env("SECUREBASE_CACHE_DIR", cache.path());
        for v in ["SECUREBASE_DATABASE_URL", "SECUREBASE_MIGRATION_DATABASE_URL", "SECUREBASE_SECRET_KEY"] {
            c.env_remove(v);
        }
        c.envs(env.iter().copied());
        let out = c.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let service = ["--database-url", db.service_url.as_str(), "--no-migrate"];

    let (code, _, err) = run(&[&["worker"][..], &service].concat(), &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("schema is at version 0") && err.contains("securebase migrate"), "{err}");
    let (code, _, err) = run(&["worker", "--no-migrate", "--migration-database-url", &db.url], &[]);
    assert_eq!(code, Some(2), "--no-migrate with an owner's URL is refused: {err}");

    // The owner's URL from the environment, as the chart's job passes it.
    let (code, out, err) = run(&["migrate"], &[("SECUREBASE_MIGRATION_DATABASE_URL", &db.url)]);
    assert_eq!(code, Some(0), "{err}");
    let latest = securebase_store::schema_version();
    assert_eq!(out.lines().count() as i64, latest, "{out}");
    assert!(out.lines().next().unwrap().ends_with(" 1 init"), "{out}");
    assert!(err.contains(&format!("{latest} migration(s) applied")), "{err}");
    let (code, out, err) = run(&["migrate", "--database-url", &db.url], &[]);
    assert_eq!((code, out.as_str()), (Some(0), ""), "{err}");
    assert!(err.contains("nothing to apply"), "{err}");

    let (server, before) =
        tokio::task::block_in_place(|| Server::start(&[&service[..], &["--workers", "0"]].concat(), cache.path(), cwd.path()));
    let admin = bootstrap_key(&before, cwd.path());
    let worker = Worker::start(&service, cache.path(), cwd.path());
    demo_scan_by_a_new_tenant(&server, &admin, "Charted");
    assert_eq!(get(&worker.metrics, "/readyz").0, 200);
    drop(worker);
    server.stop();
}

/// Reads from `s` until the server closes the connection (or `within` passes: then
/// `None`). Returns what it sent.
fn read_until_closed(s: &mut TcpStream, within: Duration) -> Option<String> {
    s.set_read_timeout(Some(within)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::ConnectionReset) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Err(_) => return None,
        }
    }
}

/// Slow-loris and connection hoarding: a client that sends its headers too slowly, or
/// keeps a connection idle, is disconnected; at most `--max-connections` are served at
/// once, the next client waiting until one is free.
#[test]
fn slow_and_idle_clients_are_cut_off_and_connections_are_bounded() {
    let (cache, cwd) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // A header timeout with room for the third client's check below on a loaded machine.
    let (server, _) = Server::start(&["--header-timeout-secs", "5", "--max-connections", "2", "--workers", "0"], cache.path(), cwd.path());
    let healthz = b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    // Two clients take both places and send nothing; a third sends a whole request.
    let mut idle = TcpStream::connect(&server.addr).unwrap();
    let mut slow = TcpStream::connect(&server.addr).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n").unwrap(); // and never the blank line
    std::thread::sleep(Duration::from_millis(200));
    let mut third = TcpStream::connect(&server.addr).unwrap();
    third.write_all(healthz).unwrap();
    assert_eq!(read_until_closed(&mut third, Duration::from_millis(700)), None, "not served while both places are taken");
    // The idle and the slow one are cut off after the header timeout...
    let cut = std::time::Instant::now();
    assert!(read_until_closed(&mut idle, Duration::from_secs(10)).is_some(), "an idle connection is closed");
    assert!(read_until_closed(&mut slow, Duration::from_secs(10)).is_some(), "a slow header is not waited for forever");
    assert!(cut.elapsed() < Duration::from_secs(9));
    // ...and the waiting client is served.
    let answer = read_until_closed(&mut third, Duration::from_secs(10)).expect("served once a place is free");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // A normal client is unaffected.
    let (status, health) = server.json("GET", "/healthz", "", None);
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
    let (status, _) = server.stop();
    assert!(status.success());
}

/// `securebase plugin push` against the served API: a tenant with a signing key refuses
/// the unsigned component (the service's reason is printed, exit 1), takes the one
/// signed with the kit's key, and a second push of the same bytes changes nothing.
#[test]
fn a_plugin_signed_and_pushed_with_the_kit_is_taken_by_the_service() {
    let (cache, cwd) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (server, before) = Server::start(&[], cache.path(), cwd.path());
    let admin = bootstrap_key(&before, cwd.path());
    let (status, tenant) = server.json(
        "POST",
        "/v1/tenants",
        &admin,
        Some(&json!({"name": "Acme", "tier": "standard", "framework": "soc2", "organization": "Acme, Inc.",
                      "contact_email": "sec@acme.example", "billing_code": "ACME-02"})),
    );
    assert_eq!(status, 201, "{tenant}");
    let id = tenant["id"].as_str().unwrap();
    let key = tenant["api_key"]["token"].as_str().unwrap();
    let kit = |args: &[&str], api_key: Option<&str>| {
        let mut command = Command::new(securebase_e2e::binary());
        command.args(args).current_dir(cwd.path()).env("SECUREBASE_CACHE_DIR", cache.path()).env_remove("SECUREBASE_API_KEY");
        if let Some(k) = api_key {
            command.env("SECUREBASE_API_KEY", k);
        }
        let out = command.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let wasm = cwd.path().join("policy.wasm");
    std::fs::copy(securebase_e2e::TENANT_POLICY, &wasm).unwrap();
    let wasm = wasm.to_str().unwrap();
    let (code, _, stderr) = kit(&["plugin", "keygen", "--out", "team.key"], None);
    assert_eq!(code, Some(0), "{stderr}");
    let public = std::fs::read_to_string(cwd.path().join("team.key.pub")).unwrap();
    let (status, registered) =
        server.json("POST", &format!("/v1/tenants/{id}/signing-keys"), key, Some(&json!({"public_key": public.trim()})));
    assert_eq!(status, 201, "{registered}");
    let push =
        |api_key: Option<&str>| kit(&["plugin", "push", wasm, "--server", &format!("http://{}", server.addr), "--tenant", id], api_key);

    let (code, _, stderr) = push(None);
    assert_eq!(code, Some(2), "no key, no request: {stderr}");
    assert!(stderr.contains("SECUREBASE_API_KEY"), "{stderr}");
    let (code, _, stderr) = push(Some(key));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("422") && stderr.contains("accepts signed plugins only"), "the service's reason: {stderr}");

    let (code, _, stderr) = kit(&["plugin", "sign", wasm, "--key", "team.key"], None);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stdout, stderr) = push(Some(key));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("uploaded acme-policy 1.0.0") && stdout.contains("acme_s3_bucket_owner_tag"), "{stdout}");
    let (code, stdout, _) = push(Some(key));
    assert_eq!(code, Some(0));
    assert!(stdout.starts_with("already there: acme-policy 1.0.0"), "{stdout}");
    let (status, list) = server.json("GET", &format!("/v1/tenants/{id}/plugins"), key, None);
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");

    // The service keeps what each scan evaluated: the pushed plugin's findings replay
    // from it, fetched with the tenant's key.
    let (status, scan) = server.json("POST", &format!("/v1/tenants/{id}/scans?wait=true"), key, Some(&json!({"source": "demo"})));
    assert_eq!(status, 201, "{scan}");
    let scan_id = scan["id"].as_str().unwrap();
    let (status, document) = server.json("GET", &format!("/v1/tenants/{id}/scans/{scan_id}/document"), key, None);
    assert_eq!(status, 200);
    let recorded = document["accounts"].as_array().unwrap().iter().flat_map(|a| a["findings"].as_array().unwrap());
    let recorded = recorded.filter(|f| f["check_id"].as_str().unwrap().starts_with("acme_")).count();
    assert!(recorded > 0, "the tenant's plugin ran in the scan");
    let server_url = format!("http://{}", server.addr);
    let replay =
        |api_key: Option<&str>| kit(&["plugin", "replay", wasm, "--server", &server_url, "--tenant", id, "--scan", scan_id], api_key);
    let (code, stdout, stderr) = replay(Some(key));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("this is the component the scan ran"), "{stdout}");
    assert!(stdout.contains(&format!("{recorded} of {recorded} recorded finding(s) reproduced; 0 changed, 0 new, 0 gone")), "{stdout}");
    let (code, _, stderr) = replay(None);
    assert_eq!(code, Some(2), "no key, no request: {stderr}");

    let (status, _) = server.stop();
    assert!(status.success());
}
