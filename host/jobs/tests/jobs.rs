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
    due_schedules_queue_one_scan_each_and_move_on,
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

const LIMITS: ClaimLimits = ClaimLimits { per_tenant: 2, global: 16, max_attempts: 3 };

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
    let dead = db.store.claim_job("dead", Duration::from_secs(2), &LIMITS).await.unwrap().unwrap();
    assert_eq!(live.run_one().await.unwrap(), None, "not while the lease holds");
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_eq!(live.run_one().await.unwrap().as_deref(), Some(scan.as_str()));
    let row = db.store.get_scan(&t, &scan).await.unwrap().unwrap();
    assert_eq!((row.status, row.attempts), (ScanStatus::Succeeded, 2));
    let findings = row.findings.unwrap();
    assert!(findings > 0);
    // The dead worker wakes up with its result: refused, nothing written twice.
    let report = scanner().scan(securebase_inventory::demo(), &|_| {});
    assert!(!db.store.finish_job(&dead, "dead", &report, None, None, &[], None).await.unwrap());
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
    let limits = ClaimLimits { per_tenant: 1, global: 2, max_attempts: 3 };
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
    let limits = ClaimLimits { per_tenant: 2, global: 16, max_attempts: 2 };
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
