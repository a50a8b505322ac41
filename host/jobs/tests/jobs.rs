//! Scan jobs against both backends (PostgreSQL started by `tests/run`): claims, leases,
//! limits, a dead worker's scan resumed and stored once, abandonment, schedules.

use securebase_jobs::{Worker, WorkerConfig};
use securebase_runtime::Limits;
use securebase_scan::Scanner;
use securebase_scan::testing::builtin_scanner;
use securebase_store::testing::{TestDb, fresh};
use securebase_store::*;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

securebase_store::both_backends!(
    a_claimed_scan_belongs_to_its_worker_until_its_lease_expires,
    a_dead_worker_s_scan_is_resumed_and_stored_and_metered_once,
    concurrency_limits_hold_per_tenant_and_globally,
    a_scan_that_keeps_losing_its_workers_is_failed_not_retried_forever,
    a_split_scan_s_batches_go_once_each_to_the_worker_holding_their_lease,
    a_tenant_s_batches_leave_workers_for_other_tenants_waiting_scans,
    a_split_scan_is_collected_batch_by_batch_and_reports_every_account,
    a_resumed_split_scan_keeps_its_batches_whatever_the_new_worker_s_batch_size,
    a_coordinator_takes_its_batches_evaluations_only_with_its_own_fingerprint,
    a_worker_takes_batch_after_batch_while_it_holds_one,
    a_stopping_worker_stores_the_batch_in_hand_and_claims_no_more,
    due_schedules_queue_one_scan_each_and_move_on,
    a_delivery_to_a_non_public_address_is_refused_when_it_connects,
    deliveries_are_claimed_a_few_per_tenant_skipping_busy_tenants,
    a_slow_receiver_delays_no_other_tenant,
    removing_a_webhook_or_its_tenant_cancels_pending_deliveries,
);

fn scanner() -> Arc<Scanner> {
    static SCANNER: OnceLock<Arc<Scanner>> = OnceLock::new();
    SCANNER.get_or_init(|| Arc::new(builtin_scanner(Limits::default(), Some(2)))).clone()
}

async fn tenant(db: &TestDb, name: &str) -> String {
    let t = NewTenant {
        name: name.into(),
        tier: Tier::Healthcare,
        framework: "hipaa".into(),
        organization: format!("{name} Inc."),
        contact_email: "ciso@example.org".into(),
        billing_code: "BC-1".into(),
        accounts: vec![],
    };
    db.store.create_tenant(&t).await.unwrap().id
}

async fn demo(db: &TestDb, tenant: &str) -> String {
    db.store.create_scan(tenant, "demo", "test").await.unwrap().id
}

fn worker(db: &TestDb, id: &str, lease: Duration) -> Worker {
    let mut c = WorkerConfig::named(id);
    c.lease = lease;
    Worker::new(db.store.clone(), scanner(), Arc::new(securebase_billing::Pricing::builtin()), c)
}

const LIMITS: ClaimLimits = ClaimLimits { per_tenant: 2, global: 16, max_attempts: 3, batches_per_tenant: 4 };
/// [`LIMITS`] with a batch given up after its second worker.
const TWO_ATTEMPTS: ClaimLimits = ClaimLimits { max_attempts: 2, ..LIMITS };

async fn a_claimed_scan_belongs_to_its_worker_until_its_lease_expires(backend: Backend) {
    let db = fresh(backend).await;
    let t = tenant(&db, "Alpha").await;
    let (older, newer) = (demo(&db, &t).await, demo(&db, &t).await);
    let a = db.store.claim_job("a", Duration::from_secs(60), &LIMITS).await.unwrap().unwrap();
    assert_eq!((a.scan_id.as_str(), a.attempt), (older.as_str(), 1), "oldest first");
    let b = db.store.claim_job("b", Duration::from_secs(60), &LIMITS).await.unwrap().unwrap();
    assert_eq!(b.scan_id, newer, "a claimed scan is not handed out again");
    assert!(db.store.claim_job("c", Duration::from_secs(60), &LIMITS).await.unwrap().is_none());
    assert!(db.store.renew_lease(&a, "a", Duration::from_secs(60)).await.unwrap());
    assert!(!db.store.renew_lease(&a, "b", Duration::from_secs(60)).await.unwrap(), "only the holder renews");
    assert!(!db.store.fail_job(&a, "b", "not mine").await.unwrap());
    let (row, owner) = db.store.scan_for_worker(&older).await.unwrap().unwrap();
    assert_eq!((row.status, owner.as_deref()), (ScanStatus::Running, Some("a")));
}

async fn a_dead_worker_s_scan_is_resumed_and_stored_and_metered_once(backend: Backend) {
    let db = fresh(backend).await;
    let t = tenant(&db, "Alpha").await;
    let scan = demo(&db, &t).await;
    let live = worker(&db, "live", Duration::from_secs(30));
    // Worker "dead" claims the scan and is never heard of again.
    let dead = db.store.claim_job("dead", Duration::from_secs(5), &LIMITS).await.unwrap().unwrap();
    assert_eq!(live.run_one().await.unwrap(), None, "not while the lease holds");
    tokio::time::sleep(Duration::from_millis(5300)).await;
    assert_eq!(live.run_one().await.unwrap().as_deref(), Some(scan.as_str()));
    let row = db.store.get_scan(&t, &scan).await.unwrap().unwrap();
    assert_eq!((row.status, row.attempts), (ScanStatus::Succeeded, 2));
    let findings = row.findings.unwrap();
    assert!(findings > 0);
    // The dead worker wakes up with its result: refused, nothing written twice.
    let report = scanner().scan(securebase_inventory::demo(), &|_| {});
    assert!(!db.store.finish_job(&dead, "dead", &report, None, &JobOutcome::default()).await.unwrap());
    assert!(!db.store.renew_lease(&dead, "dead", Duration::from_secs(30)).await.unwrap());
    let all = db.store.findings(&t, &scan, &FindingFilter::default(), Page { skip: 0, limit: 1 }).await.unwrap();
    assert_eq!(all.total as i64, findings);
    let month = &securebase_store::timestamp(SystemTime::now())[..7];
    let usage = db.store.usage_totals(&t, &format!("{month}-01T00:00:00Z"), "9999").await.unwrap();
    let scans: i64 = usage.iter().filter(|u| u.kind == "compliance_scan").map(|u| u.quantity).sum();
    assert_eq!(scans, 1, "{usage:?}");
    // Its progress stream says it was resumed.
    let events = db.store.scan_events(&t, &scan, 0, 1000).await.unwrap();
    let started: Vec<_> =
        events.iter().filter(|e| e.kind == "started").map(|e| (e.data["worker"].clone(), e.data["attempt"].clone())).collect();
    assert_eq!(started, [(serde_json::json!("live"), serde_json::json!(2))]);
}

async fn concurrency_limits_hold_per_tenant_and_globally(backend: Backend) {
    let db = fresh(backend).await;
    let (a, b, c) = (tenant(&db, "A").await, tenant(&db, "B").await, tenant(&db, "C").await);
    for t in [&a, &a, &a, &b, &c] {
        demo(&db, t).await;
    }
    let limits = ClaimLimits { per_tenant: 1, global: 2, max_attempts: 3, batches_per_tenant: 4 };
    let lease = Duration::from_secs(60);
    let first = db.store.claim_job("w1", lease, &limits).await.unwrap().unwrap();
    let second = db.store.claim_job("w2", lease, &limits).await.unwrap().unwrap();
    assert_eq!((first.tenant_id.as_str(), second.tenant_id.as_str()), (a.as_str(), b.as_str()), "A's second scan waits for its first");
    assert!(db.store.claim_job("w3", lease, &limits).await.unwrap().is_none(), "two running: the global limit");
    assert!(db.store.fail_job(&first, "w1", "done").await.unwrap());
    let third = db.store.claim_job("w3", lease, &limits).await.unwrap().unwrap();
    assert_eq!(third.tenant_id, a, "A's next scan, oldest first");
}

async fn a_scan_that_keeps_losing_its_workers_is_failed_not_retried_forever(backend: Backend) {
    let db = fresh(backend).await;
    let t = tenant(&db, "Alpha").await;
    let scan = demo(&db, &t).await;
    let limits = ClaimLimits { per_tenant: 2, global: 16, max_attempts: 2, batches_per_tenant: 4 };
    let short = Duration::from_millis(300);
    for w in ["w1", "w2"] {
        assert!(db.store.claim_job(w, short, &limits).await.unwrap().is_some());
        tokio::time::sleep(Duration::from_millis(450)).await;
    }
    assert!(db.store.claim_job("w3", short, &limits).await.unwrap().is_none());
    let row = db.store.get_scan(&t, &scan).await.unwrap().unwrap();
    assert_eq!(row.status, ScanStatus::Failed);
    assert!(row.error.unwrap().contains("abandoned"), "the reason is stated");
}

/// A tenant listing `n` accounts (without roles: collecting them fails without AWS).
async fn tenant_with_accounts(db: &TestDb, name: &str, n: usize) -> String {
    let t = tenant(db, name).await;
    let accounts = (0..n)
        .map(|i| TenantAccount { account_id: format!("{:012}", 100_000_000_000 + i), name: None, regions: vec![], role_arn: None })
        .collect();
    db.store.update_tenant(&t, &TenantPatch { accounts: Some(accounts), ..Default::default() }).await.unwrap();
    t
}

async fn accounts_scan(db: &TestDb, tenant: &str) -> String {
    let new = NewScan { source: "accounts".into(), scope: "accounts".into(), input: None, requested_by: "test".into(), schedule_id: None };
    db.store.enqueue_scan(tenant, &new).await.unwrap().id
}

async fn a_split_scan_s_batches_go_once_each_to_the_worker_holding_their_lease(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    let t = tenant_with_accounts(&db, "Alpha", 5).await;
    let scan = accounts_scan(&db, &t).await;
    let long = Duration::from_secs(60);
    let job = s.claim_job("coordinator", long, &LIMITS).await.unwrap().unwrap();
    let plan: Vec<Vec<String>> =
        vec![vec!["100000000000".into(), "100000000001".into()], vec!["100000000002".into()], vec!["100000000003".into()]];
    assert_eq!(s.plan_batches(&job, "someone-else", &plan).await.unwrap(), None, "only the scan's holder splits it");
    assert_eq!(s.plan_batches(&job, "coordinator", &plan).await.unwrap(), Some(3));
    // A resumed coordinator finds the batches of the attempt before, not a second set.
    assert_eq!(s.plan_batches(&job, "coordinator", &plan[..1]).await.unwrap(), Some(3));
    assert_eq!(s.scan_batches(&t, &scan, false).await.unwrap().len(), 3);

    // Long enough to outlast the claims below on a loaded machine, short enough to wait out.
    let short = Duration::from_secs(3);
    let a = s.claim_batch("a", short, None, &TWO_ATTEMPTS).await.unwrap().unwrap();
    assert_eq!((a.scan_id.as_str(), a.seq, a.accounts.clone(), a.attempt), (scan.as_str(), 0, plan[0].clone(), 1));
    let b = s.claim_batch("b", long, None, &TWO_ATTEMPTS).await.unwrap().unwrap();
    assert_eq!(b.seq, 1, "a claimed batch is not handed out again");
    let own = s.claim_batch("coordinator", long, Some(&scan), &TWO_ATTEMPTS).await.unwrap().unwrap();
    assert_eq!(own.seq, 2);
    assert_eq!(s.claim_batch("c", long, None, &TWO_ATTEMPTS).await.unwrap(), None, "every batch is held");
    assert!(!s.finish_batch(&b, "a", "{}").await.unwrap(), "only the holder stores a batch");
    assert!(s.finish_batch(&b, "b", r#"{"accounts":[],"errors":[]}"#).await.unwrap());
    assert!(!s.finish_batch(&b, "b", "{}").await.unwrap(), "a batch is stored once");
    assert!(s.renew_batch_lease(&own, "coordinator", long).await.unwrap());
    assert!(!s.renew_batch_lease(&own, "b", long).await.unwrap());
    assert_eq!(s.batch_progress(&t, &scan).await.unwrap(), BatchProgress { total: 3, done: 1, failed: 0 });

    // "a" dies: its batch goes to the next worker once the lease has expired, and "a"'s
    // late result is refused.
    tokio::time::sleep(short + Duration::from_millis(300)).await;
    let resumed = s.claim_batch("c", short, None, &TWO_ATTEMPTS).await.unwrap().unwrap();
    assert_eq!((resumed.seq, resumed.attempt), (0, 2));
    assert!(!s.finish_batch(&a, "a", "{}").await.unwrap());
    assert!(!s.renew_batch_lease(&a, "a", long).await.unwrap());
    // "c" dies too: two attempts were allowed, so the batch is given up, not handed on.
    tokio::time::sleep(short + Duration::from_millis(300)).await;
    assert_eq!(s.claim_batch("d", long, None, &TWO_ATTEMPTS).await.unwrap(), None);
    let rows = s.scan_batches(&t, &scan, true).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!((rows[0].status.as_str(), rows[0].attempts, rows[0].worker.as_deref()), ("failed", 2, Some("c")));
    assert!(rows[0].error.as_deref().unwrap().contains("abandoned"), "{:?}", rows[0].error);
    assert_eq!((rows[1].status.as_str(), rows[1].result.as_deref()), ("done", Some(r#"{"accounts":[],"errors":[]}"#)));
    assert_eq!(s.batch_progress(&t, &scan).await.unwrap(), BatchProgress { total: 3, done: 1, failed: 1 });
    assert!(!s.batch_progress(&t, &scan).await.unwrap().settled());
    assert!(s.finish_batch(&own, "coordinator", r#"{"accounts":[],"errors":[]}"#).await.unwrap());
    assert!(s.batch_progress(&t, &scan).await.unwrap().settled());

    // A scan that ended (here: failed) hands out no more batches.
    let other = accounts_scan(&db, &t).await;
    let second = s.claim_job("coordinator", long, &LIMITS).await.unwrap().unwrap();
    assert_eq!(second.scan_id, other);
    assert_eq!(s.plan_batches(&second, "coordinator", &plan).await.unwrap(), Some(3));
    let late = s.claim_batch("e", long, Some(&other), &TWO_ATTEMPTS).await.unwrap().unwrap();
    assert!(s.fail_job(&second, "coordinator", "stopped").await.unwrap());
    assert_eq!(s.claim_batch("e", long, None, &TWO_ATTEMPTS).await.unwrap(), None);
    assert!(!s.finish_batch(&late, "e", r#"{"accounts":[],"errors":[]}"#).await.unwrap(), "a scan that ended stores no batch");
    // A failed scan keeps no inventory: what its batches collected is dropped with it.
    assert!(s.fail_job(&job, "coordinator", "stopped").await.unwrap());
    let kept: Vec<_> = s.scan_batches(&t, &scan, true).await.unwrap().into_iter().map(|b| b.result).collect();
    assert_eq!(kept, [None, None, None]);
    // Another tenant sees none of them.
    let u = tenant(&db, "Bravo").await;
    assert!(s.scan_batches(&u, &scan, false).await.unwrap().is_empty());
    assert_eq!(s.batch_progress(&u, &scan).await.unwrap().total, 0);
}

/// One tenant's large split scan shares the workers: while another tenant has a scan
/// that could start, helpers take at most `batches_per_tenant` of its batches and are
/// left free to start that scan; with nobody waiting (or a waiting scan that could not
/// start anyway), every helper takes a batch, and the coordinator always works on its own.
async fn a_tenant_s_batches_leave_workers_for_other_tenants_waiting_scans(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    let limits = ClaimLimits { per_tenant: 1, global: 16, max_attempts: 3, batches_per_tenant: 1 };
    let long = Duration::from_secs(60);
    let big = tenant_with_accounts(&db, "Alpha", 6).await;
    let scan = accounts_scan(&db, &big).await;
    let job = s.claim_job("coordinator", long, &limits).await.unwrap().unwrap();
    assert_eq!(job.scan_id, scan);
    let plan: Vec<Vec<String>> = (0..6).map(|i| vec![format!("{:012}", 100_000_000_000u64 + i)]).collect();
    assert_eq!(s.plan_batches(&job, "coordinator", &plan).await.unwrap(), Some(6));
    // Nobody else waits: helpers are not held back by the share.
    let first = s.claim_batch("h1", long, None, &limits).await.unwrap().expect("a batch for the first helper");
    let second = s.claim_batch("h2", long, None, &limits).await.unwrap().expect("the share applies only while someone waits");
    assert_eq!((first.seq, second.seq), (0, 1));
    // Bravo queues a scan: Alpha is over its share, so the next helper gets no batch and
    // starts Bravo's scan instead; the coordinator still works on its own scan.
    let small = tenant_with_accounts(&db, "Bravo", 1).await;
    let waiting = accounts_scan(&db, &small).await;
    assert_eq!(s.claim_batch("h3", long, None, &limits).await.unwrap(), None, "Bravo's scan waits: Alpha is at its share");
    let own = s.claim_batch("coordinator", long, Some(&scan), &limits).await.unwrap().expect("a coordinator is never held back");
    assert_eq!(own.seq, 2);
    let started = s.claim_job("h3", long, &limits).await.unwrap().expect("the helper left free starts the waiting scan");
    assert_eq!(started.scan_id, waiting);
    // Bravo queues another scan, which cannot start (one running scan per tenant): it
    // holds nobody back, and helpers go on with Alpha's batches.
    accounts_scan(&db, &small).await;
    assert_eq!(s.claim_job("h4", long, &limits).await.unwrap(), None, "Bravo is at its limit");
    let third = s.claim_batch("h4", long, None, &limits).await.unwrap().expect("a waiting scan that cannot start holds no one back");
    assert_eq!(third.seq, 3);
    // Bravo's scan ends, so its next one could start: Alpha's coordinator holds one
    // batch, its whole share, and helpers are held back again until that one is stored.
    for (b, w) in [(&first, "h1"), (&second, "h2"), (&third, "h4")] {
        assert!(s.finish_batch(b, w, r#"{"accounts":[],"errors":[]}"#).await.unwrap());
    }
    assert!(s.fail_job(&started, "h3", "stopped").await.unwrap());
    assert_eq!(s.claim_batch("h5", long, None, &limits).await.unwrap(), None, "Bravo's next scan could start");
    assert!(s.finish_batch(&own, "coordinator", r#"{"accounts":[],"errors":[]}"#).await.unwrap());
    let fourth = s.claim_batch("h5", long, None, &limits).await.unwrap().expect("under its share, Alpha goes on while Bravo waits");
    assert_eq!(fourth.seq, 4);
}

/// Through the worker, without AWS: five accounts in batches of two are three batches,
/// all collected by the one worker (none of the accounts names a role, so each is a
/// collection error and the scan fails naming all five).
async fn a_split_scan_is_collected_batch_by_batch_and_reports_every_account(backend: Backend) {
    let db = fresh(backend).await;
    let t = tenant_with_accounts(&db, "Alpha", 5).await;
    let scan = accounts_scan(&db, &t).await;
    let mut c = WorkerConfig::named("only");
    c.batch_accounts = 2;
    let w = Worker::new(db.store.clone(), scanner(), Arc::new(securebase_billing::Pricing::builtin()), c);
    assert_eq!(w.run_one().await.unwrap().as_deref(), Some(scan.as_str()));
    let row = db.store.get_scan(&t, &scan).await.unwrap().unwrap();
    assert_eq!(row.status, ScanStatus::Failed);
    let error = row.error.unwrap();
    assert!(error.starts_with("no account could be collected"), "{error}");
    assert_eq!(error.matches("no role_arn").count(), 5, "{error}");
    let batches = db.store.scan_batches(&t, &scan, false).await.unwrap();
    let got: Vec<_> = batches.iter().map(|b| (b.accounts.len(), b.status.as_str(), b.worker.as_deref())).collect();
    assert_eq!(got, [(2, "done", Some("only")), (2, "done", Some("only")), (1, "done", Some("only"))]);
    let events = db.store.scan_events(&t, &scan, 0, 1000).await.unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.kind.as_str()).filter(|k| k.starts_with("batch")).collect();
    assert_eq!(kinds, ["batches_planned", "batch_collected", "batch_collected", "batch_collected"]);
    // The batches overlap (none has an account to wait for), so their progress events
    // may land out of order; together they count up to all three.
    let progress: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "batch_collected")
        .map(|e| (e.data["batches_done"].as_u64().unwrap(), e.data["batches_total"].as_u64()))
        .collect();
    assert!(progress.iter().all(|(done, total)| (1..=3).contains(done) && *total == Some(3)), "{progress:?}");
    assert_eq!(progress.iter().map(|(done, _)| *done).max(), Some(3), "{progress:?}");
}

/// The scan's first worker split it and died; the next one never splits scans
/// (`batch_accounts` 0) but finishes this one through its batches: first the batches
/// (claimed before scans, and all three in one call: a worker takes the next batch
/// while those in hand still have accounts in flight), then the scan itself, which it
/// finds already split.
async fn a_resumed_split_scan_keeps_its_batches_whatever_the_new_worker_s_batch_size(backend: Backend) {
    let db = fresh(backend).await;
    let t = tenant_with_accounts(&db, "Alpha", 5).await;
    let scan = accounts_scan(&db, &t).await;
    let dead = db.store.claim_job("dead", Duration::from_millis(300), &LIMITS).await.unwrap().unwrap();
    let ids: Vec<String> = (0..5).map(|i| format!("{:012}", 100_000_000_000u64 + i)).collect();
    let plan = vec![ids[0..2].to_vec(), ids[2..4].to_vec(), ids[4..].to_vec()];
    assert_eq!(db.store.plan_batches(&dead, "dead", &plan).await.unwrap(), Some(3));
    tokio::time::sleep(Duration::from_millis(450)).await;
    let mut c = WorkerConfig::named("next");
    c.batch_accounts = 0;
    let w = Worker::new(db.store.clone(), scanner(), Arc::new(securebase_billing::Pricing::builtin()), c);
    assert_eq!(w.run_one().await.unwrap().as_deref(), Some(scan.as_str()), "the batches");
    let batches = db.store.scan_batches(&t, &scan, false).await.unwrap();
    assert_eq!(batches.len(), 3);
    assert!(batches.iter().all(|b| b.status == "done"), "{batches:?}");
    assert_eq!(w.run_one().await.unwrap().as_deref(), Some(scan.as_str()), "the scan");
    assert_eq!(w.run_one().await.unwrap(), None, "nothing left");
    let row = db.store.get_scan(&t, &scan).await.unwrap().unwrap();
    assert_eq!((row.status, row.attempts), (ScanStatus::Failed, 2));
    assert_eq!(row.error.unwrap().matches("no role_arn").count(), 5);
    let batches = db.store.scan_batches(&t, &scan, true).await.unwrap();
    let got: Vec<_> = batches.iter().map(|b| (b.status.as_str(), b.worker.as_deref(), b.result.is_some())).collect();
    assert_eq!(got, [("done", Some("next"), false); 3], "collected by the new worker; dropped with the failed scan");
    let events = db.store.scan_events(&t, &scan, 0, 1000).await.unwrap();
    let planned: Vec<_> = events.iter().filter(|e| e.kind == "batches_planned").map(|e| e.data["batches"].as_u64()).collect();
    assert_eq!(planned, [Some(3)], "the resumed scan went through the batches it had");
}

/// A split scan's coordinator scores what each batch evaluated where it was collected,
/// when that worker evaluated with the coordinator's fingerprint (same plugins, limits
/// and exceptions); it evaluates again a batch evaluated with another fingerprint (a
/// plugin upgraded since, say) and one stored without an evaluation. The test stores
/// the three batches of the demo's accounts as helpers would, with a mark in the
/// messages of the findings they evaluated.
async fn a_coordinator_takes_its_batches_evaluations_only_with_its_own_fingerprint(backend: Backend) {
    use securebase_inventory::{AccountInventory, to_value};
    use securebase_scan::Additions;
    use serde_json::json;
    let demo = securebase_inventory::demo().accounts;
    assert_eq!(demo.len(), 3);
    let marked = |a: &AccountInventory| {
        let mut e = scanner().evaluate_accounts(std::iter::once(a.clone()), 1, &Additions::default(), &|_| {}).unwrap();
        assert!(!e[0].result.findings.is_empty());
        for f in &mut e[0].result.findings {
            f.message = format!("marked: {}", f.message);
        }
        e
    };
    // What the worker will have: the built-in plugins and the tier's fuel budget.
    let budget = securebase_billing::Pricing::builtin().plugin_fuel_per_scan(Tier::Healthcare.as_str());
    let fingerprint = scanner().fingerprint(&Additions { fuel_budget: budget, ..Default::default() }).unwrap();
    let results = [
        json!({"accounts": [to_value(&demo[0])], "errors": [], "evaluated": {"fingerprint": fingerprint, "accounts": marked(&demo[0])}}),
        json!({"accounts": [to_value(&demo[1])], "errors": [], "evaluated": {"fingerprint": "another", "accounts": marked(&demo[1])}}),
        json!({"accounts": [to_value(&demo[2])], "errors": []}),
    ];
    let db = fresh(backend).await;
    let t = tenant_with_accounts(&db, "Alpha", 1).await;
    let scan = accounts_scan(&db, &t).await;
    // A coordinator that dies once it has split the scan: its lease outlasts the setup.
    let lease = Duration::from_secs(2);
    let claimed = std::time::Instant::now();
    let dead = db.store.claim_job("dead", lease, &LIMITS).await.unwrap().unwrap();
    let plan: Vec<Vec<String>> = demo.iter().map(|a| vec![a.account_id().to_string()]).collect();
    assert_eq!(db.store.plan_batches(&dead, "dead", &plan).await.unwrap(), Some(3));
    for r in &results {
        let b = db.store.claim_batch("helper", Duration::from_secs(60), None, &LIMITS).await.unwrap().expect("a batch");
        assert!(db.store.finish_batch(&b, "helper", &r.to_string()).await.unwrap());
    }
    tokio::time::sleep((lease + Duration::from_millis(300)).saturating_sub(claimed.elapsed())).await;
    let w = worker(&db, "next", Duration::from_secs(60));
    assert_eq!(w.run_one().await.unwrap().as_deref(), Some(scan.as_str()));
    let row = db.store.get_scan(&t, &scan).await.unwrap().unwrap();
    assert_eq!(row.status, ScanStatus::Succeeded, "{:?}", row.error);
    let report = db.store.scan_report(&t, &scan).await.unwrap().expect("stored");
    let whole = scanner().scan(securebase_inventory::demo(), &|_| {});
    assert_eq!(report.accounts.len(), 3);
    for (i, (got, want)) in report.accounts.iter().zip(&whole.accounts).enumerate() {
        assert_eq!(got.account_id, want.account_id);
        assert_eq!(got.findings.len(), want.findings.len(), "account {i}");
        let marks = got.findings.iter().filter(|f| f.message.starts_with("marked: ")).count();
        assert_eq!(marks, if i == 0 { want.findings.len() } else { 0 }, "account {i}: only the first batch's evaluation is taken");
        assert!(!want.frameworks.is_empty());
        assert_eq!(got.frameworks, want.frameworks, "account {i} scored by the coordinator");
    }
    assert_eq!(report.organization, whole.organization);
    let events = db.store.scan_events(&t, &scan, 0, 1000).await.unwrap();
    let last = events.iter().rev().find(|e| e.kind == "account_evaluated").expect("the coordinator evaluated accounts");
    assert_eq!((&last.data["accounts_done"], &last.data["accounts_total"]), (&json!(2), &json!(2)), "the two it had to: {}", last.data);
}

/// A split scan of three accounts in one-account batches, held by a coordinator (so a
/// worker takes its batches only), and a worker with one account slot. The accounts
/// have a role, assumed with static credentials (not the machine's, whose chain may
/// fail at once or wait for an instance metadata service), through an endpoint that
/// accepts connections and never answers: each collection lasts `each`, its first
/// call's timeout. (A refused port is no good: the SDK's retry backoff is jittered, so
/// a collection could end at once.) Also the count of connections the endpoint took.
async fn three_slow_batches(db: &TestDb, each: Duration) -> (String, String, Worker, Arc<std::sync::atomic::AtomicUsize>) {
    let t = tenant(db, "Alpha").await;
    let ids: Vec<String> = (0..3).map(|i| format!("{:012}", 100_000_000_000u64 + i)).collect();
    let accounts = ids
        .iter()
        .map(|id| TenantAccount {
            account_id: id.clone(),
            name: None,
            regions: vec!["us-east-1".into()],
            role_arn: Some(format!("arn:aws:iam::{id}:role/SecureBase")),
        })
        .collect();
    db.store.update_tenant(&t, &TenantPatch { accounts: Some(accounts), ..Default::default() }).await.unwrap();
    let scan = accounts_scan(db, &t).await;
    let coordinator = db.store.claim_job("coordinator", Duration::from_secs(120), &LIMITS).await.unwrap().unwrap();
    let plan: Vec<Vec<String>> = ids.iter().map(|id| vec![id.clone()]).collect();
    assert_eq!(db.store.plan_batches(&coordinator, "coordinator", &plan).await.unwrap(), Some(3));
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", silent.local_addr().unwrap());
    let reached = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    tokio::spawn({
        let reached = reached.clone();
        async move {
            let mut held = Vec::new();
            while let Ok((connection, _)) = silent.accept().await {
                reached.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                held.push(connection);
            }
        }
    });
    let mut c = WorkerConfig::named("w");
    c.collect_concurrency = 1;
    c.collect.endpoint_url = Some(endpoint);
    c.collect.max_attempts = 1;
    c.collect.call_timeout = each;
    c.collect.credentials = Some(securebase_collect::Credentials::new("test", "test", None, None, "test"));
    (t, scan, Worker::new(db.store.clone(), scanner(), Arc::new(securebase_billing::Pricing::builtin()), c), reached)
}

/// A worker stores every batch it can claim in one go, each claimed as the one before
/// frees its slot. (On SQLite a batch polled only between claims once sat inside its
/// store's transaction while the next claim waited 10 s for the lock and failed.)
async fn a_worker_takes_batch_after_batch_while_it_holds_one(backend: Backend) {
    let db = fresh(backend).await;
    let (t, scan, w, reached) = three_slow_batches(&db, Duration::from_secs(1)).await;
    assert_eq!(w.run_one().await.unwrap().as_deref(), Some(scan.as_str()));
    let reached = reached.load(std::sync::atomic::Ordering::SeqCst);
    assert!(reached >= 3, "each account's collection waits on the silent endpoint: {reached} connections");
    let batches = db.store.scan_batches(&t, &scan, false).await.unwrap();
    let status: Vec<(&str, Option<&str>)> = batches.iter().map(|b| (b.status.as_str(), b.worker.as_deref())).collect();
    assert_eq!(status, [("done", Some("w")); 3], "{batches:?}");
}

/// A worker told to stop while it collects a batch stores that batch and claims no more
/// (its slot frees up with two batches left), leaving them to other workers.
async fn a_stopping_worker_stores_the_batch_in_hand_and_claims_no_more(backend: Backend) {
    let db = fresh(backend).await;
    let (t, scan, w, _) = three_slow_batches(&db, Duration::from_secs(2)).await;
    let (stop, rx) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(async move { w.run(rx).await });
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let seen = loop {
        let batches = db.store.scan_batches(&t, &scan, false).await.unwrap();
        if batches.iter().any(|b| b.status == "running") {
            break batches;
        }
        assert!(std::time::Instant::now() < deadline, "the worker claimed no batch: {batches:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    stop.send(true).unwrap();
    let seen: Vec<&str> = seen.iter().map(|b| b.status.as_str()).collect();
    assert_eq!(seen, ["running", "queued", "queued"], "the stop was sent while the first batch was collected");
    tokio::time::timeout(Duration::from_secs(60), running).await.expect("the worker stops").unwrap();
    let batches = db.store.scan_batches(&t, &scan, false).await.unwrap();
    assert_eq!(batches.len(), 3);
    let status: Vec<(&str, Option<&str>)> = batches.iter().map(|b| (b.status.as_str(), b.worker.as_deref())).collect();
    assert_eq!(status, [("done", Some("w")), ("queued", None), ("queued", None)], "{batches:?}");
}

async fn due_schedules_queue_one_scan_each_and_move_on(backend: Backend) {
    let db = fresh(backend).await;
    let t = tenant(&db, "Alpha").await;
    let past = securebase_store::timestamp(SystemTime::now() - Duration::from_secs(60));
    let future = securebase_store::timestamp(SystemTime::now() + Duration::from_secs(3600));
    let due = db.store.create_schedule(&t, "0 2 * * *", "Europe/Berlin", "demo", &past, "test").await.unwrap();
    db.store.create_schedule(&t, "0 3 * * *", "UTC", "demo", &future, "test").await.unwrap();
    let scheduler = securebase_jobs::Scheduler::new(db.store.clone());
    let queued = scheduler.tick().await.unwrap();
    assert_eq!(queued.len(), 1);
    assert!(scheduler.tick().await.unwrap().is_empty(), "a due schedule queues once");
    let scan = db.store.get_scan(&t, &queued[0].1).await.unwrap().unwrap();
    assert_eq!(
        (scan.status, scan.schedule_id.as_deref(), scan.requested_by.as_str()),
        (ScanStatus::Queued, Some(due.id.as_str()), &*format!("schedule:{}", due.id))
    );
    let moved = db.store.list_schedules(&t).await.unwrap().into_iter().find(|s| s.id == due.id).unwrap();
    assert_eq!(moved.last_scan_id.as_deref(), Some(scan.id.as_str()));
    assert!(moved.next_run_at > securebase_store::timestamp(SystemTime::now()), "{}", moved.next_run_at);
    // Next 02:00 in Berlin: 01:00 UTC in winter, 00:00 UTC in summer.
    assert!(moved.next_run_at.contains("T01:00:00") || moved.next_run_at.contains("T00:00:00"), "{}", moved.next_run_at);
    // Neither a deleted schedule nor a deleted tenant's schedule queues anything.
    assert!(db.store.delete_schedule(&t, &due.id).await.unwrap());
    let other = tenant(&db, "Bravo").await;
    db.store.create_schedule(&other, "@hourly", "UTC", "demo", &past, "test").await.unwrap();
    assert!(db.store.delete_tenant(&other).await.unwrap());
    assert!(db.store.list_schedules(&other).await.unwrap().is_empty());
    assert!(scheduler.tick().await.unwrap().is_empty(), "nothing is due any more");
}

/// A webhook stored while private addresses were allowed (or pointing at a name that
/// later resolves to one) is checked again when its delivery connects: refused, the
/// failure named, and nothing reaches the receiver.
async fn a_delivery_to_a_non_public_address_is_refused_when_it_connects(backend: Backend) {
    let db = fresh(backend).await;
    let t = tenant(&db, "Alpha").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    for (host, scan_count) in [(format!("127.0.0.1:{port}"), 1), (format!("localhost:{port}"), 2)] {
        db.store.set_webhook(&t, &format!("https://{host}/hook"), "critical", "test").await.unwrap();
        demo(&db, &t).await;
        let finished = metric(r#"securebase_scans_finished_total{source="demo"}"#);
        assert!(worker(&db, "w", Duration::from_secs(30)).run_one().await.unwrap().is_some());
        // Counters are per process, and other tests run beside this one: at least ours.
        assert!(metric(r#"securebase_scans_finished_total{source="demo"}"#) >= finished + 1.0);
        let key = securebase_jobs::SecretKey::new("test-service-key-0123456789abcdef").unwrap();
        let deliverer = securebase_jobs::Deliverer::new(db.store.clone(), key, securebase_jobs::DeliveryPolicy::default());
        let retrying = metric(r#"securebase_webhook_deliveries_total{outcome="retrying"}"#);
        let attempted = deliverer.deliver_due().await.unwrap();
        assert!(attempted >= 1, "{host}: the scan queued a delivery");
        let now = metric(r#"securebase_webhook_deliveries_total{outcome="retrying"}"#);
        assert!(now >= retrying + attempted as f64, "{host}: {attempted} failed attempts counted ({retrying} to {now})");
        let scans = db.store.list_scans(&t, None, Page { skip: 0, limit: 10 }).await.unwrap();
        assert_eq!(scans.total, scan_count);
        let deliveries = db.store.deliveries(&t, &scans.items[0].id).await.unwrap();
        assert!(!deliveries.is_empty());
        for d in &deliveries {
            let error = d.last_error.as_deref().unwrap_or_default();
            assert!(error.starts_with("not allowed") && error.contains("public addresses only"), "{host}: {error}");
            assert_eq!(d.last_status, None);
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 0, "nothing reached the receiver");
}

/// A series of this process's metrics (0 before its first recording).
fn metric(series: &str) -> f64 {
    securebase_metrics::sample(&securebase_metrics::global().render(), series).unwrap_or(0.0)
}

/// A scan of tenant `t` finished with a webhook set: returns its pending deliveries.
async fn scanned_with_webhook(db: &TestDb, t: &str, url: &str) -> Vec<Delivery> {
    let scan = demo(db, t).await;
    assert_eq!(worker(db, "w", Duration::from_secs(30)).run_one().await.unwrap().as_deref(), Some(scan.as_str()));
    let queued = db.store.deliveries(t, &scan).await.unwrap();
    assert!(!queued.is_empty(), "a finished scan queues at least scan.finished");
    assert!(queued.iter().all(|d| d.status == "pending" && d.url == url));
    queued
}

async fn deliveries_are_claimed_a_few_per_tenant_skipping_busy_tenants(backend: Backend) {
    let db = fresh(backend).await;
    let (a, b) = (tenant(&db, "Alpha").await, tenant(&db, "Beta").await);
    let url = "https://hooks.example.com/x";
    for t in [&a, &b] {
        db.store.set_webhook(t, url, "critical", "test").await.unwrap();
    }
    let a_queued = scanned_with_webhook(&db, &a, url).await.len() + scanned_with_webhook(&db, &a, url).await.len();
    let b_queued = scanned_with_webhook(&db, &b, url).await.len();
    assert!(a_queued >= 2 && b_queued >= 1);
    let hold = Duration::from_secs(600);
    let count = |v: &[Delivery], t: &str| v.iter().filter(|d| d.tenant_id == t).count();
    let first = db.store.claim_deliveries(100, 1, &[], hold).await.unwrap();
    assert_eq!((first.len(), count(&first, &a), count(&first, &b)), (2, 1, 1), "one per tenant: {first:?}");
    let busy_a = db.store.claim_deliveries(100, 100, std::slice::from_ref(&a), hold).await.unwrap();
    assert_eq!((count(&busy_a, &a), count(&busy_a, &b)), (0, b_queued - 1), "a busy tenant is skipped");
    let rest = db.store.claim_deliveries(100, 100, &[], hold).await.unwrap();
    assert_eq!((count(&rest, &a), count(&rest, &b)), (a_queued - 1, 0), "claimed ones are held");
    assert!(db.store.claim_deliveries(100, 100, &[], hold).await.unwrap().is_empty());
}

/// A loopback receiver answering 200 to each request; it answers only once `go` is
/// true. Returns its URL and how many requests it received.
async fn receiver(go: tokio::sync::watch::Receiver<bool>) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let received = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = received.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (seen, mut go) = (seen.clone(), go.clone());
            tokio::spawn(async move {
                loop {
                    // One request: headers, then content-length bytes of body.
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if socket.read(&mut byte).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
                    let length: usize =
                        text.lines().find_map(|l| l.strip_prefix("content-length:")).map_or(0, |v| v.trim().parse().unwrap());
                    let mut body = vec![0u8; length];
                    socket.read_exact(&mut body).await.unwrap();
                    seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let _ = go.wait_for(|go| *go).await;
                    socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await.unwrap();
                }
            });
        }
    });
    (url, received)
}

fn loopback_deliverer(db: &TestDb) -> securebase_jobs::Deliverer {
    let key = securebase_jobs::SecretKey::new("test-service-key-0123456789abcdef").unwrap();
    let policy = securebase_jobs::DeliveryPolicy { allow_private: true, timeout: Duration::from_secs(5), ..Default::default() };
    securebase_jobs::Deliverer::new(db.store.clone(), key, policy)
}

/// Alpha's receiver answers only once Beta's has received its deliveries. Sent one
/// after the other (Alpha's first, they are older), Alpha's would time out waiting.
async fn a_slow_receiver_delays_no_other_tenant(backend: Backend) {
    let db = fresh(backend).await;
    let (a, b) = (tenant(&db, "Alpha").await, tenant(&db, "Beta").await);
    let (beta_done, beta_seen) = tokio::sync::watch::channel(false);
    let (always, _) = tokio::sync::watch::channel(true);
    let (a_url, a_received) = receiver(beta_seen).await;
    let (b_url, b_received) = receiver(always.subscribe()).await;
    db.store.set_webhook(&a, &a_url, "critical", "test").await.unwrap();
    db.store.set_webhook(&b, &b_url, "critical", "test").await.unwrap();
    let a_queued = scanned_with_webhook(&db, &a, &a_url).await;
    let b_queued = scanned_with_webhook(&db, &b, &b_url).await;
    assert!(a_queued.len() <= securebase_jobs::PER_TENANT, "all of Alpha's go out in one round");
    let deliverer = loopback_deliverer(&db);
    let watcher = async {
        while b_received.load(std::sync::atomic::Ordering::SeqCst) < b_queued.len() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        beta_done.send(true).unwrap();
    };
    let (attempted, ()) = tokio::join!(deliverer.deliver_due(), watcher);
    assert_eq!(attempted.unwrap(), a_queued.len() + b_queued.len());
    assert_eq!(a_received.load(std::sync::atomic::Ordering::SeqCst), a_queued.len());
    for (t, queued) in [(&a, &a_queued), (&b, &b_queued)] {
        let now = db.store.deliveries(t, &queued[0].scan_id).await.unwrap();
        assert_eq!(now.len(), queued.len());
        for d in &now {
            assert_eq!((d.status.as_str(), d.last_status, d.last_error.as_deref()), ("delivered", Some(200), None), "{t}: {d:?}");
        }
    }
}

async fn removing_a_webhook_or_its_tenant_cancels_pending_deliveries(backend: Backend) {
    let db = fresh(backend).await;
    let (a, b) = (tenant(&db, "Alpha").await, tenant(&db, "Beta").await);
    let (go, _) = tokio::sync::watch::channel(true);
    let (url, received) = receiver(go.subscribe()).await;
    let cases: [(&str, &str); 3] = [(&a, "the webhook was replaced"), (&a, "the webhook was removed"), (&b, "the tenant was deleted")];
    for (t, reason) in cases {
        db.store.set_webhook(t, &url, "critical", "test").await.unwrap();
        let queued = scanned_with_webhook(&db, t, &url).await;
        match reason {
            "the webhook was replaced" => drop(db.store.set_webhook(t, "https://hooks.example.com/new", "critical", "test").await.unwrap()),
            "the webhook was removed" => assert!(db.store.delete_webhook(t).await.unwrap()),
            _ => assert!(db.store.delete_tenant(t).await.unwrap()),
        }
        let now = db.store.deliveries(t, &queued[0].scan_id).await.unwrap();
        assert_eq!(now.len(), queued.len());
        for d in &now {
            assert_eq!(d.status, "failed", "{reason}: {d:?}");
            assert_eq!(d.last_error.as_deref(), Some(format!("cancelled: {reason}").as_str()));
        }
        assert_eq!(loopback_deliverer(&db).deliver_due().await.unwrap(), 0, "{reason}: nothing left to send");
    }
    assert_eq!(received.load(std::sync::atomic::Ordering::SeqCst), 0);
}
