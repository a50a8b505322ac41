//! `securebase worker` processes sharing one PostgreSQL database (started by
//! `tests/run`): fifty queued scans shared by two workers, none run twice; a worker
//! killed with SIGKILL in the middle of a scan, whose scan the other worker resumes
//! and stores once.

use securebase_store::testing::{TestDb, fresh};
use securebase_store::{Backend, NewScan, NewTenant, ScanStatus, Store, Tier};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A worker process, killed if a failed assertion leaves it running.
struct WorkerProcess(Child);

impl WorkerProcess {
    fn start(db: &TestDb, id: &str, lease_secs: u32, cache: &std::path::Path) -> Self {
        let mut child = Command::new(securebase_e2e::binary())
            .args(["worker", "--id", id, "--threads", "1", "--lease-secs", &lease_secs.to_string()])
            .args(["--database-url", &db.service_url, "--migration-database-url", &db.url])
            .env("SECUREBASE_CACHE_DIR", cache)
            .env_remove("SECUREBASE_SECRET_KEY")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("SecureBase worker") => break,
                Some(Ok(_)) => {}
                _ => {
                    let _ = child.kill();
                    panic!("worker {id} did not start");
                }
            }
        }
        // Keep draining its log so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Self(child)
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn tenant(store: &Store, name: &str) -> String {
    let t = NewTenant {
        name: name.into(),
        tier: Tier::Fintech,
        framework: "soc2".into(),
        organization: format!("{name} Inc."),
        contact_email: "ciso@example.org".into(),
        billing_code: "BC-1".into(),
        accounts: vec![],
    };
    store.create_tenant(&t).await.unwrap().id
}

async fn wait_until_done(store: &Store, limit: Duration) {
    let start = Instant::now();
    while store.pending_scans().await.unwrap() > 0 {
        assert!(start.elapsed() < limit, "scans still pending after {limit:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn started_by(events: &[securebase_store::ScanEvent]) -> Vec<(String, i64)> {
    events
        .iter()
        .filter(|e| e.kind == "started")
        .map(|e| (e.data["worker"].as_str().unwrap().to_string(), e.data["attempt"].as_i64().unwrap()))
        .collect()
}

async fn scans_metered(store: &Store, tenant: &str) -> i64 {
    let rows = store.usage_totals(tenant, "2000-01-01T00:00:00Z", "9999").await.unwrap();
    rows.iter().filter(|u| u.kind == "compliance_scan").map(|u| u.quantity).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_share_fifty_scans_and_run_none_twice() {
    let db = fresh(Backend::Postgres).await;
    let cache = tempfile::tempdir().unwrap();
    let workers = [WorkerProcess::start(&db, "w1", 10, cache.path()), WorkerProcess::start(&db, "w2", 10, cache.path())];
    let mut scans: BTreeMap<String, String> = BTreeMap::new();
    let tenants = [tenant(&db.store, "Alpha").await, tenant(&db.store, "Bravo").await, tenant(&db.store, "Charlie").await];
    for i in 0..50 {
        let t = &tenants[i % tenants.len()];
        scans.insert(db.store.create_scan(t, "demo", "test").await.unwrap().id, t.clone());
    }
    wait_until_done(&db.store, Duration::from_secs(600)).await;
    drop(workers);

    let mut by_worker: BTreeMap<String, usize> = BTreeMap::new();
    let mut findings = BTreeSet::new();
    for (scan, t) in &scans {
        let (row, owner) = db.store.scan_for_worker(scan).await.unwrap().unwrap();
        assert_eq!((row.status, row.attempts), (ScanStatus::Succeeded, 1), "{scan}: {row:?}");
        let events = db.store.scan_events(t, scan, 0, 10_000).await.unwrap();
        let started = started_by(&events);
        assert_eq!(started.len(), 1, "{scan} was started {started:?}");
        assert_eq!(Some(&started[0].0), owner.as_ref(), "the worker that started it stored it");
        assert_eq!(events.iter().filter(|e| e.kind == "finished").count(), 1);
        *by_worker.entry(owner.unwrap()).or_default() += 1;
        findings.insert(row.findings.unwrap());
    }
    assert_eq!(by_worker.keys().collect::<Vec<_>>(), ["w1", "w2"], "both workers took scans: {by_worker:?}");
    assert_eq!(by_worker.values().sum::<usize>(), 50);
    assert_eq!(findings.len(), 1, "every demo scan stored the same findings: {findings:?}");
    for t in &tenants {
        let queued = scans.values().filter(|x| *x == t).count() as i64;
        assert_eq!(scans_metered(&db.store, t).await, queued, "one usage event per scan");
    }
}

/// `n` accounts, each with the demo's first S3 bucket: a long scan of small accounts.
fn many_accounts(n: usize) -> Vec<Value> {
    let demo = securebase_inventory::demo();
    let base: Value = serde_json::from_str(&securebase_inventory::to_json(&demo.accounts[0])).unwrap();
    let bucket = base["configurationItems"].as_array().unwrap().iter().find(|i| i["resourceType"] == "AWS::S3::Bucket").unwrap().clone();
    let original = base["accountId"].as_str().unwrap().to_string();
    (0..n)
        .map(|i| {
            let id = format!("{:012}", 500_000_000_000u64 + i as u64);
            let item: Value = serde_json::from_str(&bucket.to_string().replace(&original, &id)).unwrap();
            json!({
                "schema": base["schema"], "accountId": id, "accountName": format!("account-{i}"),
                "capturedAt": base["capturedAt"], "configurationItems": [item],
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_scan_has_its_scan_finished_by_another() {
    let db = fresh(Backend::Postgres).await;
    let cache = tempfile::tempdir().unwrap();
    let t = tenant(&db.store, "Alpha").await;
    let accounts = many_accounts(3000);
    let new = NewScan {
        source: "snapshot".into(),
        scope: securebase_store::snapshot_scope(accounts.iter().map(|a| a["accountId"].as_str().unwrap())),
        input: Some(Value::Array(accounts.clone()).to_string()),
        requested_by: "test".into(),
        schedule_id: None,
    };
    let mut first = WorkerProcess::start(&db, "doomed", 3, cache.path());
    let scan = db.store.enqueue_scan(&t, &new).await.unwrap().id;
    // Wait until it is evaluating (some accounts done), then kill it outright.
    let start = Instant::now();
    loop {
        let events = db.store.scan_events(&t, &scan, 0, 1000).await.unwrap();
        if events.iter().any(|e| e.kind == "account_evaluated") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(300), "the first worker never got going: {events:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.0.kill().unwrap(); // SIGKILL: no chance to clean up
    first.0.wait().unwrap();
    let (row, owner) = db.store.scan_for_worker(&scan).await.unwrap().unwrap();
    assert_eq!((row.status, owner.as_deref()), (ScanStatus::Running, Some("doomed")), "killed mid-scan");
    let done_before_kill = db.store.scan_events(&t, &scan, 0, 1000).await.unwrap();
    let progress = done_before_kill.iter().rev().find(|e| e.kind == "account_evaluated").unwrap();
    assert!(progress.data["accounts_done"].as_u64().unwrap() < 3000, "{progress:?}");

    let _second = WorkerProcess::start(&db, "rescuer", 3, cache.path());
    wait_until_done(&db.store, Duration::from_secs(600)).await;
    let (row, owner) = db.store.scan_for_worker(&scan).await.unwrap().unwrap();
    assert_eq!((row.status, row.attempts, owner.as_deref()), (ScanStatus::Succeeded, 2, Some("rescuer")), "{row:?}");
    assert_eq!(row.accounts, Some(3000));
    // One set of findings: every account's, each once.
    let stored = db.store.findings(&t, &scan, &Default::default(), securebase_store::Page { skip: 0, limit: 100_000 }).await.unwrap();
    assert_eq!(stored.total as i64, row.findings.unwrap());
    let distinct: BTreeSet<(String, String, String)> =
        stored.items.iter().map(|f| (f.account_id.clone(), f.check_id.clone(), f.resource_id.clone())).collect();
    assert_eq!(distinct.len(), stored.items.len(), "no finding stored twice");
    assert_eq!(stored.items.iter().map(|f| f.account_id.as_str()).collect::<BTreeSet<_>>().len(), 3000);
    assert_eq!(scans_metered(&db.store, &t).await, 1, "metered once");
    let events = db.store.scan_events(&t, &scan, 0, 100_000).await.unwrap();
    assert_eq!(started_by(&events), [("doomed".to_string(), 1), ("rescuer".to_string(), 2)]);
    assert_eq!(events.iter().filter(|e| e.kind == "finished").count(), 1);
}
