//! `securebase worker` processes sharing one PostgreSQL database (started by
//! `tests/run`): fifty queued scans shared by two workers, none run twice; a worker
//! killed with SIGKILL in the middle of a scan, whose scan the other worker resumes
//! and stores once; a scan of an organization's accounts in moto split into batches
//! that several workers collect, its coordinator killed mid-scan; a worker stopped with
//! SIGTERM, which stores the batch in hand and claims no more.

use securebase_store::testing::{TestDb, fresh};
use securebase_store::{Backend, NewScan, NewTenant, ScanStatus, Store, Tier};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::{Duration, Instant};

/// A worker process, killed if a failed assertion leaves it running.
struct WorkerProcess(securebase_bench::workers::WorkerProcess);

impl WorkerProcess {
    fn start(db: &TestDb, id: &str, lease_secs: u32, cache: &std::path::Path) -> Self {
        Self::start_with(db, id, lease_secs, cache, &[], &[])
    }

    /// With more arguments and environment.
    fn start_with(db: &TestDb, id: &str, lease_secs: u32, cache: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let lease = lease_secs.to_string();
        let mut all = vec!["--id", id, "--threads", "1", "--lease-secs", &lease];
        all.extend(["--database-url", &db.service_url, "--migration-database-url", &db.url]);
        all.extend(args);
        let mut env = env.to_vec();
        env.push(("SECUREBASE_CACHE_DIR", cache.to_str().unwrap()));
        let binary = securebase_e2e::binary();
        Self(securebase_bench::workers::WorkerProcess::spawn(&binary, &all, &env).unwrap_or_else(|e| panic!("worker {id}: {e}")))
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

/// An organization of `accounts` accounts in a fresh moto (each member seeded through
/// its own role) and their ids, the management account first.
fn organization(accounts: usize) -> (securebase_e2e::moto::Moto, Vec<String>) {
    use securebase_e2e::moto::{Moto, script};
    let moto = Moto::start();
    let made = Command::new("python3").arg(script("organization.py")).args([moto.url(), &accounts.to_string()]).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let ids: Vec<String> = serde_json::from_slice(&made.stdout).unwrap();
    assert_eq!(ids.len(), accounts, "{ids:?}");
    (moto, ids)
}

/// A tenant of those accounts, each reached through the role Organizations made in it.
async fn organization_tenant(store: &Store, ids: &[String]) -> String {
    let t = tenant(store, "Alpha").await;
    let accounts = ids
        .iter()
        .map(|id| securebase_store::TenantAccount {
            account_id: id.clone(),
            name: None,
            regions: vec!["us-east-1".into()],
            role_arn: Some(format!("arn:aws:iam::{id}:role/OrganizationAccountAccessRole")),
        })
        .collect();
    let patch = securebase_store::TenantPatch { accounts: Some(accounts), ..Default::default() };
    store.update_tenant(&t, &patch).await.unwrap();
    t
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
    // Leases long enough that a loaded machine's late renewal never hands a live
    // worker's scan to the other (no worker dies in this test).
    let workers = [WorkerProcess::start(&db, "w1", 30, cache.path()), WorkerProcess::start(&db, "w2", 30, cache.path())];
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
    let (row, owner) = db.store.scan_for_worker(&scan).await.unwrap().unwrap();
    assert_eq!((row.status, owner.as_deref()), (ScanStatus::Running, Some("doomed")), "killed mid-scan");
    let done_before_kill = db.store.scan_events(&t, &scan, 0, 1000).await.unwrap();
    let progress = done_before_kill.iter().rev().find(|e| e.kind == "account_evaluated").unwrap();
    assert!(progress.data["accounts_done"].as_u64().unwrap() < 3000, "{progress:?}");

    // Only the doomed worker's lease needs to be short (to be waited out); a rescuer's is
    // long, so that a late renewal on a loaded machine cannot hand its work on.
    let _second = WorkerProcess::start(&db, "rescuer", 30, cache.path());
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

/// One scan of an organization of six accounts (moto, each member seeded through its own
/// role) in batches of one account: the first worker takes the scan, splits it and is
/// killed with SIGKILL after storing a batch; two more workers resume it. The scan is
/// stored once with every account, the killed worker's stored batches are not collected
/// again, the batches it held are collected by another worker, and the scan is metered
/// and notified once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_of_many_accounts_is_split_into_batches_that_survive_a_killed_worker() {
    let (moto, ids) = organization(6);
    let db = fresh(Backend::Postgres).await;
    let cache = tempfile::tempdir().unwrap();
    let t = organization_tenant(&db.store, &ids).await;
    // Notifications are queued with the result whether or not this process sends them.
    db.store.set_webhook(&t, "https://hooks.example.org/securebase", "high", "test").await.unwrap();
    // Two account slots: the worker holds two batches at a time, and the later batches
    // start only as earlier ones end, so it is killed with a batch stored and others held.
    let args = ["--batch-accounts", "1", "--account-slots", "2", "--endpoint-url", moto.url()];
    let env = [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")];
    let mut doomed = WorkerProcess::start_with(&db, "doomed", 3, cache.path(), &args, &env);
    let new = NewScan { source: "accounts".into(), scope: "accounts".into(), input: None, requested_by: "test".into(), schedule_id: None };
    let scan = db.store.enqueue_scan(&t, &new).await.unwrap().id;
    // Kill it once it has stored a batch and holds another: a worker that has just
    // stored its last one holds nothing for a moment, and killing it then would test
    // nothing. Until then, see that it overlaps its batches: its two account slots take
    // a second one-account batch while the first is being collected.
    let start = Instant::now();
    let mut most_held = 0;
    loop {
        let batches = db.store.scan_batches(&t, &scan, false).await.unwrap();
        let done = batches.iter().filter(|b| b.status == "done").count();
        let running = batches.iter().filter(|b| b.status == "running").count();
        most_held = most_held.max(running);
        if done >= 1 && running >= 1 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(300), "the first worker stored no batch: {batches:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    doomed.0.kill().unwrap(); // SIGKILL, in the middle of its next batch
    let before = db.store.scan_batches(&t, &scan, false).await.unwrap();
    assert_eq!(before.len(), 6, "one batch per account: {before:?}");
    let stored_by_doomed: BTreeSet<i64> =
        before.iter().filter(|b| b.status == "done" && b.worker.as_deref() == Some("doomed")).map(|b| b.seq).collect();
    assert!(!stored_by_doomed.is_empty() && stored_by_doomed.len() < 6, "{before:?}");
    assert!(most_held >= 2, "the worker held at most {most_held} batch at a time: it did not overlap them");
    let held: Vec<i64> = before.iter().filter(|b| b.status == "running").map(|b| b.seq).collect();
    assert!(!held.is_empty(), "the killed worker held the batches it was collecting: {before:?}");

    let _rescuers = [
        WorkerProcess::start_with(&db, "w1", 30, cache.path(), &args, &env),
        WorkerProcess::start_with(&db, "w2", 30, cache.path(), &args, &env),
    ];
    wait_until_done(&db.store, Duration::from_secs(600)).await;
    let (row, owner) = db.store.scan_for_worker(&scan).await.unwrap().unwrap();
    assert_eq!((row.status, row.attempts), (ScanStatus::Succeeded, 2), "{row:?}");
    assert!(matches!(owner.as_deref(), Some("w1" | "w2")), "{owner:?}");
    assert_eq!(row.accounts, Some(6));
    let after = db.store.scan_batches(&t, &scan, true).await.unwrap();
    assert_eq!(after.len(), 6);
    for b in &after {
        assert_eq!(b.status, "done", "{b:?}");
        assert_eq!(b.result, None, "a stored scan keeps its inventory, not its batches' copies");
        if stored_by_doomed.contains(&b.seq) {
            assert_eq!((b.worker.as_deref(), b.attempts), (Some("doomed"), 1), "stored before the kill, not collected again");
        } else {
            assert_ne!(b.worker.as_deref(), Some("doomed"), "{b:?}");
        }
    }
    for seq in &held {
        let resumed = after.iter().find(|b| b.seq == *seq).unwrap();
        assert_eq!(resumed.attempts, 2, "the killed worker's batch was claimed again: {resumed:?}");
    }

    // Every account's own resources are in the one report (each member holds buckets
    // named after it), with what moto could not answer listed per account.
    let report = db.store.scan_report(&t, &scan).await.unwrap().unwrap();
    let in_report: BTreeSet<&str> = report.accounts.iter().map(|a| a.account_id.as_str()).collect();
    assert_eq!(in_report, ids.iter().map(String::as_str).collect::<BTreeSet<_>>());
    for member in &ids[1..] {
        let own = report.accounts.iter().find(|a| &a.account_id == member).unwrap();
        assert!(own.findings.iter().any(|f| f.resource_id.ends_with(&format!("-{member}"))), "{member}: no bucket of its own");
    }
    let with_errors: BTreeSet<&str> = report.collection_errors.iter().map(|e| e.account_id.as_str()).collect();
    assert_eq!(with_errors.len(), 6, "moto's gaps are reported for every account: {:?}", report.collection_errors);
    assert_eq!(scans_metered(&db.store, &t).await, 1, "metered once");
    let events = db.store.scan_events(&t, &scan, 0, 100_000).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == "finished").count(), 1);
    assert_eq!(events.iter().filter(|e| e.kind == "batches_planned").count(), 2, "planned by each coordinator, split once");
    // One event per stored batch, except that the kill may fall between a batch's store
    // and its event (the batch itself stays stored, as checked above).
    let collected: Vec<i64> = events.iter().filter(|e| e.kind == "batch_collected").map(|e| e.data["batch"].as_i64().unwrap()).collect();
    let once: BTreeSet<i64> = collected.iter().copied().collect();
    assert_eq!(once.len(), collected.len(), "each batch stored once: {collected:?}");
    for b in after.iter().filter(|b| b.worker.as_deref() != Some("doomed")) {
        assert!(once.contains(&b.seq), "batch {} stored by {:?} without its event: {collected:?}", b.seq, b.worker);
    }
    // Each batch was evaluated by the worker that collected it (the same binary, so the
    // same fingerprint): the coordinator scored them and evaluated nothing again.
    let stored: Vec<&Value> = events.iter().filter(|e| e.kind == "batch_collected").map(|e| &e.data).collect();
    assert!(!stored.is_empty());
    for data in &stored {
        assert_eq!(data["evaluated"], data["collected"], "{data}");
        assert!(data["findings"].as_u64() > Some(0), "{data}");
    }
    assert!(!events.iter().any(|e| e.kind == "account_evaluated"), "the coordinator evaluated accounts its batches had evaluated");
    let deliveries = db.store.deliveries(&t, &scan).await.unwrap();
    assert_eq!(deliveries.iter().filter(|d| d.event == "scan.finished").count(), 1, "notified once");
}

/// A `securebase worker` stopped with SIGTERM while it collects a batch of a split scan
/// (coordinated by another worker, here the test): it stores the batch in hand, claims
/// no more, leaves nothing leased and exits with status 0; the other batches stay queued
/// for other workers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_stopped_with_sigterm_stores_its_batch_and_claims_no_more() {
    let (moto, ids) = organization(4);
    let db = fresh(Backend::Postgres).await;
    let cache = tempfile::tempdir().unwrap();
    let t = organization_tenant(&db.store, &ids).await;
    let new = NewScan { source: "accounts".into(), scope: "accounts".into(), input: None, requested_by: "test".into(), schedule_id: None };
    let scan = db.store.enqueue_scan(&t, &new).await.unwrap().id;
    let limits = securebase_store::ClaimLimits::default();
    let coordinator = db.store.claim_job("coordinator", Duration::from_secs(600), &limits).await.unwrap().unwrap();
    assert_eq!(coordinator.scan_id, scan);
    let plan: Vec<Vec<String>> = ids.iter().map(|id| vec![id.clone()]).collect();
    assert_eq!(db.store.plan_batches(&coordinator, "coordinator", &plan).await.unwrap(), Some(4));

    let args = ["--account-slots", "1", "--endpoint-url", moto.url()];
    let env = [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")];
    let mut worker = WorkerProcess::start_with(&db, "w", 30, cache.path(), &args, &env);
    let start = Instant::now();
    let seen = loop {
        let batches = db.store.scan_batches(&t, &scan, false).await.unwrap();
        if batches.iter().any(|b| b.status == "running") {
            break batches;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "the worker claimed no batch: {batches:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let status = tokio::task::block_in_place(|| worker.0.terminate(Duration::from_secs(180))).unwrap();
    assert_eq!(status.map(|s| s.code()), Some(Some(0)), "the worker exits with status 0 after SIGTERM");

    let held: Vec<i64> = seen.iter().filter(|b| b.status == "running").map(|b| b.seq).collect();
    let waiting = seen.iter().filter(|b| b.status == "queued").count();
    assert_eq!((held.len(), waiting), (1, 3), "one slot, one batch in hand when stopped: {seen:?}");
    let after = db.store.scan_batches(&t, &scan, false).await.unwrap();
    assert_eq!(after.len(), 4);
    assert!(after.iter().all(|b| b.status != "running"), "nothing left leased: {after:?}");
    for seq in &held {
        let b = after.iter().find(|b| b.seq == *seq).unwrap();
        assert_eq!((b.status.as_str(), b.worker.as_deref(), b.attempts), ("done", Some("w"), 1), "the batch in hand is stored: {b:?}");
    }
    // The signal may land just as the batch in hand ends and the next is claimed; any
    // more means it went on claiming after it was told to stop.
    let queued = after.iter().filter(|b| (b.status.as_str(), b.worker.as_deref(), b.attempts) == ("queued", None, 0)).count();
    assert!(queued >= waiting - 1, "claimed batches after SIGTERM: {after:?}");
}

/// `securebase-bench workers` times one scan per worker count; its figures are printed,
/// not judged, but its table must describe what happened: every account scanned once per
/// row, the batches spread over the workers that row started and no other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workers_benchmark_runs_one_split_scan_per_worker_count() {
    let db = fresh(Backend::Postgres).await;
    let out = Command::new(securebase_e2e::bench_binary())
        .args(["workers", "--accounts", "3", "--workers", "1,2", "--batch-accounts", "1", "--regions", "us-east-1"])
        .args(["--database-url", &db.service_url, "--migration-database-url", &db.url])
        .args(["--securebase", securebase_e2e::binary().to_str().unwrap()])
        .env_remove("AWS_PROFILE")
        .output()
        .expect("securebase-bench runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("seeded: 3 accounts"), "{stdout}");
    assert!(stdout.contains("one scan of 3 accounts x 1 region(s) per worker count, batches of 1 accounts"), "{stdout}");
    let rows: Vec<Vec<&str>> =
        stdout.lines().skip_while(|l| !l.trim_start().starts_with("workers")).skip(1).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    for (row, workers) in rows.iter().zip([1usize, 2]) {
        assert_eq!(row[0], workers.to_string(), "{stdout}");
        // The spread: "w1 2/2, w2 1/1" (batches/accounts per worker) after "MiB".
        let spread: Vec<(String, usize, usize)> = row[row.iter().position(|c| *c == "MiB").unwrap() + 1..]
            .chunks(2)
            .map(|c| {
                let (b, a) = c[1].trim_end_matches(',').split_once('/').unwrap();
                (c[0].to_string(), b.parse().unwrap(), a.parse().unwrap())
            })
            .collect();
        assert!(!spread.is_empty() && spread.len() <= workers, "{stdout}");
        assert!(spread.iter().all(|(w, _, _)| (1..=workers).any(|i| *w == format!("w{i}"))), "{stdout}");
        assert_eq!(spread.iter().map(|s| s.1).sum::<usize>(), 3, "three batches of one account: {stdout}");
        assert_eq!(spread.iter().map(|s| s.2).sum::<usize>(), 3, "{stdout}");
    }
    // Both scans are stored, each with every account.
    let tenants = db.store.list_tenants(securebase_store::Page { skip: 0, limit: 10 }).await.unwrap();
    assert_eq!(tenants.items.len(), 1);
    let scans = db.store.list_scans(&tenants.items[0].id, None, securebase_store::Page { skip: 0, limit: 10 }).await.unwrap();
    let stored: Vec<_> = scans.items.iter().map(|s| (s.status, s.accounts)).collect();
    assert_eq!(stored, [(ScanStatus::Succeeded, Some(3)), (ScanStatus::Succeeded, Some(3))]);

    let bad = Command::new(securebase_e2e::bench_binary())
        .args(["workers", "--database-url", "sqlite::memory:", "--accounts", "1"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("share a PostgreSQL database"), "{}", String::from_utf8_lossy(&bad.stderr));
}
