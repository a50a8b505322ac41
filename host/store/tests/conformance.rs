//! The storage conformance suite: every scenario runs against SQLite and against a real
//! PostgreSQL server (started by `tests/run`), so both backends keep one behaviour.
//! The row-level security tests at the end are PostgreSQL's own promise.

use securebase_runtime::Limits;
use securebase_scan::ScanReport;
use securebase_scan::testing::builtin_scanner;
use securebase_store::testing::{TestDb, empty, fresh, upgraded};
use securebase_store::*;
use sqlx::{AnyConnection, Connection, Executor, Row};
use std::sync::OnceLock;

securebase_store::both_backends!(
    tenants_round_trip_with_pagination_and_soft_delete,
    keys_authenticate_only_with_their_secret,
    scans_store_the_document_and_every_finding,
    one_tenant_never_reads_another_through_the_store,
    the_audit_log_refuses_update_and_delete,
    migrations_apply_once,
    a_service_that_does_not_migrate_opens_only_a_database_migrated_for_it,
    an_upgrade_moves_each_scans_documents_out_of_its_row,
    usage_is_recorded_once_per_key_with_its_audit_entry,
    requests_recorded_in_one_group_land_with_their_tenants_and_a_bad_one_fails_alone,
    expiring_exceptions_are_notified_once_per_expiry_to_their_tenants_webhook,
);

/// The demo organization scanned once per test binary by the real engine.
fn demo_report() -> &'static ScanReport {
    static REPORT: OnceLock<ScanReport> = OnceLock::new();
    REPORT.get_or_init(|| builtin_scanner(Limits::default(), Some(2)).scan(securebase_inventory::demo(), &|_| {}))
}

fn new_tenant(name: &str, tier: Tier) -> NewTenant {
    NewTenant {
        name: name.into(),
        tier,
        framework: "cis-aws-foundations".into(),
        organization: format!("{name} Inc."),
        contact_email: format!("security@{}.example", name.to_lowercase()),
        billing_code: format!("BC-{name}"),
        accounts: vec![TenantAccount {
            account_id: "111122223333".into(),
            name: Some("prod".into()),
            regions: vec!["us-east-1".into()],
            role_arn: Some("arn:aws:iam::111122223333:role/SecureBaseReadOnly".into()),
        }],
    }
}

async fn scanned_tenant(db: &TestDb, name: &str) -> (Tenant, String) {
    let t = db.store.create_tenant(&new_tenant(name, Tier::Standard)).await.unwrap();
    let scan = db.store.create_scan(&t.id, "demo", "admin:test").await.unwrap();
    // Run as workers run it: claimed (started), then stored with its usage.
    let job = db.store.claim_job("w", std::time::Duration::from_secs(60), &ClaimLimits::default()).await.unwrap().unwrap();
    assert_eq!(job.scan_id, scan.id);
    let usage = scan_usage(&t.id, &scan.id);
    assert!(db.store.finish_job(&job, "w", demo_report(), Some(&usage), &JobOutcome::default()).await.unwrap());
    (t, scan.id)
}

fn scan_usage(tenant: &str, scan: &str) -> UsageEvent {
    UsageEvent {
        dedup_key: format!("scan:{scan}"),
        tenant_id: tenant.into(),
        kind: "compliance_scan".into(),
        quantity: 1,
        tier: "standard".into(),
        unit_price_micros: 15_000_000,
        billable: true,
        detail: "{}".into(),
    }
}

fn page(skip: u64, limit: u64) -> Page {
    Page { skip, limit }
}

async fn tenants_round_trip_with_pagination_and_soft_delete(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    let mut ids = vec![];
    for (name, tier) in [("Alpha", Tier::Healthcare), ("Beta", Tier::Fintech), ("Gamma", Tier::GovFederal)] {
        let t = s.create_tenant(&new_tenant(name, tier)).await.unwrap();
        assert_eq!((t.name.as_str(), t.tier), (name, tier));
        assert_eq!(t.accounts[0].account_id, "111122223333");
        ids.push(t.id);
    }
    let p = s.list_tenants(page(1, 1)).await.unwrap();
    assert_eq!((p.total, p.items.len(), p.items[0].name.as_str()), (3, 1, "Beta"));
    assert_eq!(s.list_tenants(page(3, 10)).await.unwrap().items.len(), 0);

    let patched = s
        .update_tenant(&ids[1], &TenantPatch { tier: Some(Tier::Standard), name: Some("Beta 2".into()), ..Default::default() })
        .await
        .unwrap()
        .unwrap();
    assert_eq!((patched.name.as_str(), patched.tier, patched.organization.as_str()), ("Beta 2", Tier::Standard, "Beta Inc."));
    assert_eq!(s.get_tenant(&ids[1]).await.unwrap().unwrap(), patched);

    assert!(s.delete_tenant(&ids[0]).await.unwrap());
    assert!(!s.delete_tenant(&ids[0]).await.unwrap(), "a deleted tenant cannot be deleted twice");
    assert_eq!(s.get_tenant(&ids[0]).await.unwrap(), None);
    assert_eq!(s.update_tenant(&ids[0], &TenantPatch::default()).await.unwrap(), None);
    assert!(s.tenant_existed(&ids[0]).await.unwrap(), "soft delete keeps the row");
    let p = s.list_tenants(page(0, 10)).await.unwrap();
    assert_eq!(p.total, 2);
    assert!(p.items.iter().all(|t| t.id != ids[0]));
    assert_eq!(s.get_tenant("t_nonexistent").await.unwrap(), None);
}

async fn keys_authenticate_only_with_their_secret(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    assert!(!s.has_admin_key().await.unwrap());
    let admin = s.create_key(&KeyKind::Admin, "ops").await.unwrap();
    assert!(s.has_admin_key().await.unwrap());
    let t = s.create_tenant(&new_tenant("Alpha", Tier::Standard)).await.unwrap();
    let tenant = s.create_key(&KeyKind::Tenant(t.id.clone()), "ci").await.unwrap();

    assert_eq!(
        s.authenticate(&admin.token).await.unwrap(),
        Some(Principal { key_id: admin.id.clone(), kind: KeyKind::Admin, scope: KeyScope::Manage, window: None })
    );
    assert_eq!(
        s.authenticate(&tenant.token).await.unwrap(),
        Some(Principal { key_id: tenant.id.clone(), kind: KeyKind::Tenant(t.id.clone()), scope: KeyScope::Manage, window: None })
    );
    // One wrong hex digit of the secret, another key's secret, garbage: all unknown.
    let mut wrong = tenant.token.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let swapped = format!("{}_{}", admin.token.rsplit_once('_').unwrap().0, tenant.token.rsplit_once('_').unwrap().1);
    for bad in [wrong.as_str(), swapped.as_str(), "", "Bearer x", "sb_k_zz_zz"] {
        assert_eq!(s.authenticate(bad).await.unwrap(), None, "{bad}");
    }

    // Only a hash is stored: no column of the table holds the secret.
    let secret = tenant.token.rsplit_once('_').unwrap().1;
    let mut tx = s.tenant_transaction(&Scope::Admin).await.unwrap();
    let rows = sqlx::query("SELECT id, kind, secret_sha256, label FROM api_keys").fetch_all(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        for c in ["id", "kind", "secret_sha256", "label"] {
            let v: String = r.try_get(c).unwrap();
            assert!(!v.contains(secret), "column {c} holds the secret");
        }
    }

    assert!(s.revoke_key(&admin.id).await.unwrap());
    assert_eq!(s.authenticate(&admin.token).await.unwrap(), None, "a revoked key no longer works");
    assert!(s.delete_tenant(&t.id).await.unwrap());
    assert_eq!(s.authenticate(&tenant.token).await.unwrap(), None, "a deleted tenant's key no longer works");

    // An operator-provided admin token registers once and then authenticates.
    let chosen = format!("sb_k_{}_{}", "a1".repeat(10), "b2".repeat(20));
    let id = s.register_admin_token(&chosen).await.unwrap();
    assert_eq!(s.register_admin_token(&chosen).await.unwrap(), id, "registering again is a no-op");
    assert_eq!(s.authenticate(&chosen).await.unwrap().map(|p| p.kind), Some(KeyKind::Admin));
    let other = format!("sb_k_{}_{}", "a1".repeat(10), "c3".repeat(20));
    assert!(s.register_admin_token(&other).await.is_err(), "same id, other secret");
    assert!(s.register_admin_token("hunter2").await.unwrap_err().to_string().contains("must look like"));
}

async fn scans_store_the_document_and_every_finding(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    let (t, scan) = scanned_tenant(&db, "Alpha").await;
    let report = demo_report();
    let all: Vec<_> = report.accounts.iter().flat_map(|a| a.findings.iter().map(move |f| (a, f))).collect();
    assert!(all.len() > 200, "the demo has a few hundred findings, not {}", all.len());

    let row = s.get_scan(&t.id, &scan).await.unwrap().unwrap();
    assert_eq!(row.status, ScanStatus::Succeeded);
    assert_eq!(row.findings, Some(all.len() as i64));
    assert_eq!(row.failing, Some(all.iter().filter(|(_, f)| f.status == "fail").count() as i64));
    assert_eq!((row.accounts, row.resources), (Some(3), Some(report.organization.resources as i64)));
    assert!(row.started_at.is_some() && row.finished_at.is_some());
    assert_eq!(s.scan_report(&t.id, &scan).await.unwrap().as_ref(), Some(report), "the document round-trips exactly");

    // Every finding, in order, across pages.
    let mut got = vec![];
    let mut skip = 0;
    loop {
        let p = s.findings(&t.id, &scan, &FindingFilter::default(), page(skip, 200)).await.unwrap();
        assert_eq!(p.total, all.len() as u64);
        if p.items.is_empty() {
            break;
        }
        skip += p.items.len() as u64;
        got.extend(p.items);
    }
    assert_eq!(got.len(), all.len());
    for (row, (account, f)) in got.iter().zip(&all) {
        assert_eq!(
            (&row.account_id, &row.check_id, &row.resource_id, &row.status),
            (&account.account_id, &f.check_id, &f.resource_id, &f.status)
        );
    }

    // Filters combine, and agree with the document.
    let account = &report.accounts[1].account_id;
    let mut checks: Vec<String> = report.accounts[1].findings.iter().filter(|f| f.status == "fail").map(|f| f.check_id.clone()).collect();
    checks.dedup();
    checks.truncate(2);
    checks.push("a_check_with_no_findings".into());
    let filter = FindingFilter {
        check_ids: Some(checks.clone()),
        status: Some("fail".into()),
        account_id: Some(account.clone()),
        ..Default::default()
    };
    let expected = all.iter().filter(|(a, f)| &a.account_id == account && f.status == "fail" && checks.contains(&f.check_id)).count();
    assert!(expected > 0);
    assert_eq!(s.findings(&t.id, &scan, &filter, page(0, 1000)).await.unwrap().items.len(), expected);
    let high = FindingFilter { severity: Some("high".into()), resource_type: Some("AWS::S3::Bucket".into()), ..Default::default() };
    let expected = all.iter().filter(|(_, f)| f.severity == "high" && f.resource_type == "AWS::S3::Bucket").count();
    assert_eq!(s.findings(&t.id, &scan, &high, page(0, 1000)).await.unwrap().total, expected as u64);
    let none = FindingFilter { check_ids: Some(vec![]), ..Default::default() };
    assert_eq!(s.findings(&t.id, &scan, &none, page(0, 10)).await.unwrap().total, 0);

    // A second scan lists first; a failed one keeps its reason and has no document.
    let failed = s.create_scan(&t.id, "snapshot", "tenant:k").await.unwrap();
    let job = s.claim_job("w", std::time::Duration::from_secs(60), &ClaimLimits::default()).await.unwrap().unwrap();
    assert!(s.fail_job(&job, "w", "snapshot file acct.json: field accountId: expected 12 digits").await.unwrap());
    let list = s.list_scans(&t.id, None, page(0, 10)).await.unwrap();
    assert_eq!(list.total, 2);
    assert_eq!(list.items[0].status, ScanStatus::Failed);
    assert!(list.items[0].error.as_deref().unwrap().contains("accountId"));
    assert_eq!(s.scan_report(&t.id, &failed.id).await.unwrap(), None);
    assert_eq!(s.latest_succeeded_scan(&t.id, None).await.unwrap().unwrap().id, scan);
}

async fn one_tenant_never_reads_another_through_the_store(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    let (a, scan_a) = scanned_tenant(&db, "Alpha").await;
    let (b, _) = scanned_tenant(&db, "Beta").await;
    assert_eq!(s.get_scan(&b.id, &scan_a).await.unwrap(), None);
    assert_eq!(s.scan_report(&b.id, &scan_a).await.unwrap(), None);
    assert_eq!(s.findings(&b.id, &scan_a, &FindingFilter::default(), page(0, 10)).await.unwrap().total, 0);
    assert_eq!(s.list_scans(&b.id, None, page(0, 10)).await.unwrap().total, 1);
    s.audit(&AuditEntry {
        tenant_id: Some(a.id.clone()),
        actor: "admin:k".into(),
        action: "scan.create".into(),
        target: "/x".into(),
        outcome: "success".into(),
        status: 202,
        source: "127.0.0.1".into(),
        detail: String::new(),
    })
    .await
    .unwrap();
    assert_eq!(s.audit_log(&b.id, page(0, 10)).await.unwrap().total, 0);
    assert_eq!(s.audit_log(&a.id, page(0, 10)).await.unwrap().total, 1);
}

async fn the_audit_log_refuses_update_and_delete(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    let t = s.create_tenant(&new_tenant("Alpha", Tier::Standard)).await.unwrap();
    for action in ["tenant.create", "report.download"] {
        s.audit(&AuditEntry {
            tenant_id: Some(t.id.clone()),
            actor: "admin:k_1".into(),
            action: action.into(),
            target: format!("/v1/tenants/{}", t.id),
            outcome: "success".into(),
            status: 200,
            source: "192.0.2.7".into(),
            detail: "{}".into(),
        })
        .await
        .unwrap();
    }
    let log = s.audit_log(&t.id, page(0, 10)).await.unwrap();
    assert_eq!(log.items.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(), ["tenant.create", "report.download"]);
    assert_eq!(log.items[1].source, "192.0.2.7");

    // The owner's own connection, which row-level security does not bind on SQLite and
    // whose privileges are complete on PostgreSQL: the trigger still refuses.
    let mut owner = AnyConnection::connect(&db.url).await.unwrap();
    for sql in ["UPDATE audit_log SET outcome = 'failure'", "DELETE FROM audit_log"] {
        let err = owner.execute(sql).await.expect_err(sql).to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    if backend == Backend::Postgres {
        for table in ["audit_log", "usage_events", "invoices"] {
            let err = owner.execute(&*format!("TRUNCATE {table}")).await.expect_err(table).to_string();
            assert!(err.contains("append-only"), "{table}: {err}");
        }
    }
    owner.close().await.unwrap();
    assert_eq!(s.audit_log(&t.id, page(0, 10)).await.unwrap().items, log.items, "nothing changed");
}

async fn migrations_apply_once(backend: Backend) {
    let db = fresh(backend).await;
    db.store.create_tenant(&new_tenant("Alpha", Tier::Standard)).await.unwrap();
    // Opening again (a restart) applies nothing and keeps the data.
    let again = Store::open(&db.url).await.unwrap();
    assert_eq!(again.list_tenants(page(0, 10)).await.unwrap().total, 1);
    let mut conn = AnyConnection::connect(&db.url).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM securebase_migrations").fetch_one(&mut conn).await.unwrap();
    let files = |b: &str| std::fs::read_dir(format!("{}/migrations/{b}", env!("CARGO_MANIFEST_DIR"))).unwrap().count() as i64;
    assert_eq!(files("sqlite"), files("postgres"), "each migration is written for both backends");
    assert!(files("sqlite") >= 7);
    assert_eq!(n, files("sqlite"), "one row per migration file");
}

/// The deployment where a job migrates as the owner and the service never holds the
/// owner's credentials: the service opens the database only once every migration of
/// this release is applied, says which are missing otherwise, and applies none itself.
async fn a_service_that_does_not_migrate_opens_only_a_database_migrated_for_it(backend: Backend) {
    let db = empty(backend).await;
    let latest = schema_version();
    assert!(latest >= 13, "{latest}");
    let all = (1..=latest).map(|v| v.to_string()).collect::<Vec<_>>().join(", ");
    match Store::open_migrated(&db.service_url).await {
        Err(StoreError::NotMigrated { current, missing }) => assert_eq!((current, missing), (0, all)),
        other => panic!("an empty database opened: {other:?}"),
    }

    let applied = Store::migrate(&db.url).await.unwrap();
    assert_eq!(applied.iter().map(|a| a.version).collect::<Vec<_>>(), (1..=latest).collect::<Vec<_>>());
    assert_eq!(applied[0].name, "init");
    assert_eq!(Store::migrate(&db.url).await.unwrap(), [], "a second run applies nothing");

    let store = Store::open_migrated(&db.service_url).await.unwrap();
    store.create_tenant(&new_tenant("Alpha", Tier::Standard)).await.unwrap();
    assert_eq!(store.list_tenants(page(0, 10)).await.unwrap().total, 1);
    store.close().await;

    // A database one release behind: the service names what is missing and leaves it so.
    let mut owner = AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query("DELETE FROM securebase_migrations WHERE version = $1").bind(latest).execute(&mut owner).await.unwrap();
    match Store::open_migrated(&db.service_url).await {
        Err(e @ StoreError::NotMigrated { .. }) => {
            let text = e.to_string();
            assert!(text.contains(&format!("at version {}", latest - 1)) && text.contains(&format!("migration(s) {latest}:")), "{text}");
            assert!(text.contains("securebase migrate"), "{text}");
        }
        other => panic!("a database without migration {latest} opened: {other:?}"),
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM securebase_migrations").fetch_one(&mut owner).await.unwrap();
    assert_eq!(n, latest - 1, "opening applied nothing");
}

/// A database written by the release before scan documents had their own table (schema
/// 11: report, drift and inventory in the scans row) reads the same after the upgrade,
/// and the columns are gone from the row.
async fn an_upgrade_moves_each_scans_documents_out_of_its_row(backend: Backend) {
    let sql_text = |v: &str| format!("'{}'", v.replace('\'', "''"));
    let report = serde_json::to_string(demo_report()).unwrap();
    let drift = r#"{"new_failures":[{"check_id":"s3_bucket_public_access_blocked"}],"resolved_failures":[]}"#;
    let inventory = r#"[{"account_id":"111122223333"}]"#;
    let scan = |id: &str, status: &str, documents: [&str; 3]| {
        format!(
            "INSERT INTO scans (id, tenant_id, status, source, requested_by, created_at, finished_at, summary, report, drift, inventory) \
             VALUES ('{id}', 't_old', '{status}', 'demo', 'admin:old', '2026-11-01T00:00:00Z', '2026-11-01T00:01:00Z', NULL, {}, {}, {});",
            documents[0], documents[1], documents[2]
        )
    };
    let seed = [
        "INSERT INTO tenants (id, name, tier, framework, organization, contact_email, billing_code, accounts, created_at, updated_at) \
         VALUES ('t_old', 'Old', 'standard', 'soc2', 'Old Inc.', 'sec@old.example', 'BC-1', '[]', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z');"
            .to_string(),
        scan("s_full", "succeeded", [&sql_text(&report), &sql_text(drift), &sql_text(inventory)]),
        scan("s_bare", "succeeded", [&sql_text(&report), "NULL", "NULL"]),
        scan("s_failed", "failed", ["NULL", "NULL", "NULL"]),
    ]
    .join("\n");
    let db = upgraded(backend, 11, &seed).await;
    let s = &db.store;

    let read = s.scan_report("t_old", "s_full").await.unwrap().expect("the moved report");
    assert_eq!(&read, demo_report(), "the report reads back exactly");
    assert_eq!(s.scan_drift("t_old", "s_full").await.unwrap(), Some(serde_json::from_str(drift).unwrap()));
    assert_eq!(s.scan_inventory("t_old", "s_full").await.unwrap(), Some(Some(inventory.to_string())));
    assert_eq!(s.scan_report("t_old", "s_bare").await.unwrap().as_ref(), Some(demo_report()));
    assert_eq!(s.scan_drift("t_old", "s_bare").await.unwrap(), None, "no drift was kept");
    assert_eq!(s.scan_inventory("t_old", "s_bare").await.unwrap(), Some(None), "no inventory was kept");
    assert_eq!(s.scan_inventory("t_old", "s_failed").await.unwrap(), None, "not a succeeded scan");
    assert_eq!(s.scan_report("t_other", "s_full").await.unwrap(), None, "another tenant's id reads nothing");

    let mut conn = AnyConnection::connect(&db.url).await.unwrap();
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT scan_id || ':' || kind FROM scan_documents ORDER BY scan_id, kind").fetch_all(&mut conn).await.unwrap();
    assert_eq!(kinds, ["s_bare:report", "s_full:drift", "s_full:inventory", "s_full:report"]);
    for column in ["report", "drift", "inventory"] {
        let err = conn.execute(format!("SELECT {column} FROM scans").as_str()).await.expect_err(column).to_string();
        assert!(err.contains(column), "{column}: {err}");
    }
    // A scan finished after the upgrade stores its documents in the new table too.
    let t = s.create_tenant(&new_tenant("New", Tier::Standard)).await.unwrap();
    let scan = s.create_scan(&t.id, "demo", "admin:test").await.unwrap();
    let job = s.claim_job("w", std::time::Duration::from_secs(60), &ClaimLimits::default()).await.unwrap().unwrap();
    assert_eq!(job.scan_id, scan.id);
    let outcome = JobOutcome { drift: Some((drift, "{}")), inventory: Some(inventory), ..Default::default() };
    assert!(s.finish_job(&job, "w", demo_report(), None, &outcome).await.unwrap());
    assert_eq!(s.scan_report(&t.id, &scan.id).await.unwrap().as_ref(), Some(demo_report()));
    assert_eq!(s.scan_inventory(&t.id, &scan.id).await.unwrap(), Some(Some(inventory.to_string())));
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM scan_documents WHERE scan_id = $1").bind(&scan.id).fetch_one(&mut conn).await.unwrap();
    assert_eq!(n, 3);
}

/// PostgreSQL: queries with no tenant filter at all, in a transaction bound to tenant
/// A, see and change A's rows only, and cannot write B's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn row_level_security_confines_unfiltered_queries() {
    let db = fresh(Backend::Postgres).await;
    let s = &db.store;
    let (a, scan_a) = scanned_tenant(&db, "Alpha").await;
    let (b, scan_b) = scanned_tenant(&db, "Beta").await;
    // Each tenant also has a schedule, a webhook, and a scan run as a job that queued a delivery.
    for t in [&a, &b] {
        s.create_key(&KeyKind::Tenant(t.id.clone()), "test").await.unwrap();
        s.create_schedule(&t.id, "0 2 * * *", "UTC", "demo", "2999-01-01T00:00:00Z", "test").await.unwrap();
        s.set_webhook(&t.id, "https://hooks.example/x", "high", "test").await.unwrap();
        s.create_scan(&t.id, "demo", "test").await.unwrap();
        let job = s.claim_job("w", std::time::Duration::from_secs(60), &ClaimLimits::default()).await.unwrap().unwrap();
        assert_eq!(job.tenant_id, t.id);
        let note = Notification { event: "scan.finished".into(), payload: "{}".into() };
        assert!(s.finish_job(&job, "w", demo_report(), None, &JobOutcome { notifications: &[note], ..Default::default() }).await.unwrap());
    }

    let mut tx = s.tenant_transaction(&Scope::Tenant(a.id.clone())).await.unwrap();
    let who: String = sqlx::query_scalar("SELECT current_user::text").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(who, APP_ROLE, "the service runs as the role that owns nothing");
    for (table, column) in [
        ("tenants", "id"),
        ("scans", "tenant_id"),
        ("findings", "tenant_id"),
        ("api_keys", "tenant_id"),
        ("usage_events", "tenant_id"),
        ("tier_history", "tenant_id"),
        ("scan_events", "tenant_id"),
        ("schedules", "tenant_id"),
        ("webhooks", "tenant_id"),
        ("webhook_deliveries", "tenant_id"),
        ("scan_documents", "tenant_id"),
    ] {
        let seen: Vec<Option<String>> =
            sqlx::query_scalar(&format!("SELECT DISTINCT {column} FROM {table}")).fetch_all(&mut *tx).await.unwrap();
        // Both tenants have rows in every table: A's, and only A's, are seen.
        assert_eq!(seen, [Some(a.id.clone())], "{table}");
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM findings").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(n as usize, 2 * demo_report().accounts.iter().map(|x| x.findings.len()).sum::<usize>(), "A's two scans");
    // An UPDATE with no WHERE clause changes A's scans only.
    let changed = sqlx::query("UPDATE scans SET error = 'tampered'").execute(&mut *tx).await.unwrap().rows_affected();
    assert_eq!(changed, 2);
    tx.commit().await.unwrap();
    assert_eq!(s.get_scan(&b.id, &scan_b).await.unwrap().unwrap().error, None, "B's scan untouched");
    assert_eq!(s.get_scan(&a.id, &scan_a).await.unwrap().unwrap().error.as_deref(), Some("tampered"));

    // Writing a row for B from A's transaction is refused by the policy.
    let mut tx = s.tenant_transaction(&Scope::Tenant(a.id.clone())).await.unwrap();
    let err = sqlx::query(
        "INSERT INTO scans (id, tenant_id, status, source, requested_by, created_at) VALUES ('s_forged', $1, 'queued', 'demo', 'x', 'now')",
    )
    .bind(&b.id)
    .execute(&mut *tx)
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("row-level security"), "{err}");
    drop(tx);

    // A tenant cannot touch the tenants table, nor mint keys.
    let mut tx = s.tenant_transaction(&Scope::Tenant(a.id.clone())).await.unwrap();
    let err = sqlx::query("UPDATE tenants SET tier = 'healthcare'").execute(&mut *tx).await.unwrap_err().to_string();
    assert!(err.contains("row-level security"), "{err}");
    drop(tx);

    // The binding is inlined in BEGIN for plain ids; anything else is bound as a
    // parameter, so a quote in a scope cannot end the literal and widen it.
    for forged in [format!("{}', true), set_config('securebase.admin', 'on", b.id), format!("{}'--", a.id)] {
        let mut tx = s.tenant_transaction(&Scope::Tenant(forged.clone())).await.unwrap();
        let bound: String = sqlx::query_scalar("SELECT current_setting('securebase.tenant_id')").fetch_one(&mut *tx).await.unwrap();
        assert_eq!(bound, forged, "bound verbatim");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scans").fetch_one(&mut *tx).await.unwrap();
        assert_eq!(n, 0, "{forged}: sees nothing");
    }

    // Outside any tenant (authentication scope), nothing tenant-owned is visible.
    let mut tx = s.tenant_transaction(&Scope::Key("k_nobody".into())).await.unwrap();
    for table in [
        "tenants",
        "scans",
        "findings",
        "audit_log",
        "usage_events",
        "tier_history",
        "invoices",
        "scan_events",
        "schedules",
        "webhooks",
        "webhook_deliveries",
        "scan_documents",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *tx).await.unwrap();
        assert_eq!(n, 0, "{table}");
    }
    drop(tx);
    // Workers see every tenant's scans, schedules and deliveries (to claim them), and
    // nothing else: no findings, keys, usage, progress, webhooks or audit entries.
    let mut tx = s.tenant_transaction(&Scope::Worker).await.unwrap();
    for (table, visible) in [("scans", 4), ("schedules", 2), ("webhook_deliveries", 2)] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *tx).await.unwrap();
        assert_eq!(n, visible, "{table}");
    }
    for table in ["tenants", "findings", "api_keys", "audit_log", "usage_events", "invoices", "scan_events", "webhooks", "scan_documents"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *tx).await.unwrap();
        assert_eq!(n, 0, "a worker sees no {table}");
    }
    drop(tx);
    // The service logs in as the role that owns nothing: RESET ROLE leads nowhere else.
    let mut tx = s.tenant_transaction(&Scope::Tenant(a.id.clone())).await.unwrap();
    tx.execute("RESET ROLE").await.unwrap();
    let (who, bypass): (String, bool) =
        sqlx::query_as("SELECT current_user::text, rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(who, APP_ROLE);
    assert!(!bypass, "the application role neither bypasses RLS nor is a superuser");
    let seen: Vec<String> = sqlx::query_scalar("SELECT DISTINCT tenant_id FROM findings").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(seen, vec![a.id.clone()]);
    drop(tx);

    // Every table that holds tenants' rows is confined by a forced policy, the tables a
    // later migration adds included (the lists above name only those known today).
    let mut owner = AnyConnection::connect(&db.url).await.unwrap();
    let tables: Vec<(String, bool, bool, i64)> = sqlx::query_as(
        "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity, \
                (SELECT COUNT(*) FROM pg_policy p WHERE p.polrelid = c.oid) \
         FROM pg_class c JOIN information_schema.columns k \
           ON k.table_schema = 'public' AND k.table_name = c.relname AND k.column_name = 'tenant_id' \
         WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace ORDER BY 1",
    )
    .fetch_all(&mut owner)
    .await
    .unwrap();
    assert!(tables.len() >= 20, "tables with a tenant_id: {tables:?}");
    assert!(tables.iter().any(|t| t.0 == "scan_documents"), "{tables:?}");
    for (table, enabled, forced, policies) in &tables {
        assert!(*enabled && *forced && *policies > 0, "{table}: RLS enabled {enabled}, forced {forced}, {policies} policies");
    }
}

async fn usage_is_recorded_once_per_key_with_its_audit_entry(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    let (t, scan) = scanned_tenant(&db, "Alpha").await;
    let call = |key: &str| UsageEvent {
        dedup_key: key.into(),
        kind: "api_call".into(),
        unit_price_micros: 100,
        detail: String::new(),
        ..scan_usage(&t.id, &scan)
    };
    let audit = AuditEntry {
        tenant_id: Some(t.id.clone()),
        actor: "tenant:k".into(),
        action: "scan.create".into(),
        target: "POST /v1/x".into(),
        outcome: "success".into(),
        status: 202,
        source: "127.0.0.1".into(),
        detail: String::new(),
    };
    s.record_request(Some(&audit), &[call("req:1")]).await.unwrap();
    s.record_request(None, &[call("req:2")]).await.unwrap();
    s.record_request(None, &[call("req:2")]).await.unwrap(); // a retry of the same request
    // Two tenants in one request's records are refused outright.
    let mut foreign = call("req:3");
    foreign.tenant_id = "t_someone_else".into();
    assert!(s.record_request(Some(&audit), &[foreign]).await.is_err());
    // A second finish of the same scan meters nothing more (its findings are refused first).
    assert!(s.finish_scan(&t.id, &scan, demo_report(), Some(&scan_usage(&t.id, &scan))).await.is_err());

    let rows = s.usage_totals(&t.id, "2000-01-01", "2999-01-01").await.unwrap();
    let got: Vec<_> = rows.iter().map(|r| (r.kind.as_str(), r.events, r.quantity, r.unit_price_micros)).collect();
    assert_eq!(got, [("api_call", 2, 2, 100), ("compliance_scan", 1, 1, 15_000_000)]);
    assert_eq!(s.audit_log(&t.id, page(0, 10)).await.unwrap().total, 1);
    assert!(s.usage_totals(&t.id, "2000-01-01", "2000-02-01").await.unwrap().is_empty(), "the period filters");

    // Tier changes are kept for proration.
    s.update_tenant(&t.id, &TenantPatch { tier: Some(Tier::Healthcare), ..Default::default() }).await.unwrap();
    s.update_tenant(&t.id, &TenantPatch { name: Some("Renamed".into()), ..Default::default() }).await.unwrap();
    let subject = s.billing_subject(&t.id).await.unwrap().unwrap();
    assert_eq!(subject.tiers.iter().map(|x| x.1).collect::<Vec<_>>(), [Tier::Standard, Tier::Healthcare]);
    assert_eq!(s.tenant_tier(&t.id).await.unwrap(), Some(Tier::Healthcare));
}

/// The service's group commit: several requests' records in one transaction, each under
/// its own tenant (on PostgreSQL each tenant then reads its own rows alone). A record
/// the database refuses rolls the group back, and the rest are written one by one: only
/// the bad request fails, and nothing is written twice.
async fn requests_recorded_in_one_group_land_with_their_tenants_and_a_bad_one_fails_alone(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    let (a, scan_a) = scanned_tenant(&db, "Alpha").await;
    let (b, scan_b) = scanned_tenant(&db, "Beta").await;
    let entry = |tenant: Option<&str>, n: u32| AuditEntry {
        tenant_id: tenant.map(str::to_string),
        actor: "tenant:k".into(),
        action: "report.download".into(),
        target: format!("GET /v1/r/{n}"),
        outcome: "success".into(),
        status: 200,
        source: "127.0.0.1".into(),
        detail: String::new(),
    };
    let call = |tenant: &str, scan: &str, n: u32| UsageEvent {
        dedup_key: format!("req:{n}"),
        kind: "api_call".into(),
        unit_price_micros: 100,
        detail: String::new(),
        ..scan_usage(tenant, scan)
    };
    let record = |tenant: Option<&str>, scan: &str, n: u32| RequestRecords {
        audit: Some(entry(tenant, n)),
        usage: tenant.map(|t| vec![call(t, scan, n)]).unwrap_or_default(),
    };
    let group = vec![
        record(Some(&a.id), &scan_a, 1),
        record(Some(&b.id), &scan_b, 2),
        record(None, "", 3),
        record(Some(&a.id), &scan_a, 4),
        record(Some(&b.id), &scan_b, 5),
    ];
    let outcomes = s.record_requests(&group).await;
    assert_eq!(outcomes.len(), 5);
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    let calls = async |t: &str| {
        s.usage_totals(t, "2000-01-01", "2999-01-01").await.unwrap().iter().filter(|r| r.kind == "api_call").map(|r| r.events).sum::<i64>()
    };
    assert_eq!((calls(&a.id).await, calls(&b.id).await), (2, 2));
    let targets = async |t: String| s.audit_log(&t, page(0, 50)).await.unwrap().items.iter().map(|e| e.target.clone()).collect::<Vec<_>>();
    assert_eq!(targets(a.id.clone()).await, ["GET /v1/r/1", "GET /v1/r/4"], "in arrival order, A's only");
    assert_eq!(targets(b.id.clone()).await, ["GET /v1/r/2", "GET /v1/r/5"]);

    // A usage event of a tenant that does not exist breaks the group's transaction.
    let mut bad = record(Some(&a.id), &scan_a, 7);
    bad.audit = None;
    bad.usage[0].tenant_id = "t_gone".into();
    let group = vec![record(Some(&a.id), &scan_a, 6), bad, record(Some(&b.id), &scan_b, 8)];
    let outcomes = s.record_requests(&group).await;
    assert_eq!(outcomes.iter().map(Result::is_ok).collect::<Vec<_>>(), [true, false, true], "{outcomes:?}");
    assert_eq!((calls(&a.id).await, calls(&b.id).await), (3, 3), "each good request once");
    assert_eq!(targets(a.id.clone()).await.len(), 3);
}

/// A new SQLite database holds every tenant's findings: only its owner may read it,
/// whatever the process's umask.
#[cfg(unix)]
#[tokio::test]
async fn a_new_sqlite_database_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.path().join("securebase.db");
    let store = Store::open(&format!("sqlite:{}", path.display())).await.unwrap();
    store.create_tenant(&new_tenant("Alpha", Tier::Standard)).await.unwrap();
    store.close().await;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
}

/// `exception.expiring`: queued for live exceptions expiring within the horizon, to
/// the tenant's own webhook, once per expiry date (a second run queues nothing; an
/// extended exception is notified again), never for a tenant without a webhook, a
/// deleted exception, or one expiring later.
async fn expiring_exceptions_are_notified_once_per_expiry_to_their_tenants_webhook(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    let exception = |id: &str, expires: &str| securebase_exceptions::Exception {
        id: id.into(),
        check: "*".into(),
        account: None,
        region: None,
        resource: Some("bucket-*".into()),
        tags: Default::default(),
        justification: "accepted".into(),
        approved_by: "ciso@example.com".into(),
        expires: expires.into(),
        created_by: None,
        ticket: None,
    };
    let a = s.create_tenant(&new_tenant("Alpha", Tier::Standard)).await.unwrap();
    let b = s.create_tenant(&new_tenant("Beta", Tier::Standard)).await.unwrap();
    s.set_webhook(&a.id, "https://hooks.example/a", "high", "test").await.unwrap();
    for (t, id, expires) in [
        (&a.id, "SOON", "2027-01-10"),
        (&a.id, "LATER", "2027-02-20"),
        (&a.id, "GONE", "2027-01-05"),
        (&a.id, "PAST", "2026-12-31"),
        (&b.id, "SOON", "2027-01-10"),
    ] {
        assert!(s.create_exception(t, &exception(id, expires), "test").await.unwrap().is_some());
    }
    assert!(s.delete_exception(&a.id, "GONE", "test").await.unwrap());

    let queued = s.queue_expiring_exceptions("2027-01-01", 14).await.unwrap();
    assert_eq!(queued, vec![(a.id.clone(), "SOON".to_string())], "only A has a webhook; LATER is beyond 14 days");
    assert_eq!(s.queue_expiring_exceptions("2027-01-02", 14).await.unwrap(), vec![], "once per expiry");
    let subject = format!("exception/{}/SOON/2027-01-10", a.id);
    let deliveries = s.deliveries(&a.id, &subject).await.unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!((deliveries[0].event.as_str(), deliveries[0].url.as_str()), ("exception.expiring", "https://hooks.example/a"));
    let payload: serde_json::Value = serde_json::from_str(&deliveries[0].payload).unwrap();
    assert_eq!((payload["exception"]["id"].as_str(), payload["days_left"].as_i64()), (Some("SOON"), Some(9)));
    assert_eq!(s.deliveries(&b.id, &subject).await.unwrap(), vec![], "another tenant does not see it");

    // Extended: a new expiry, notified again when it comes near.
    assert!(s.update_exception(&a.id, &exception("SOON", "2027-01-25"), "test").await.unwrap().is_some());
    assert_eq!(s.queue_expiring_exceptions("2027-01-12", 14).await.unwrap(), vec![(a.id.clone(), "SOON".to_string())]);
}
