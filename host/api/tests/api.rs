//! The API, called through its router without a server (as axum's examples do), on
//! SQLite and on a real PostgreSQL server (started by `tests/run`): the README flow,
//! cross-tenant attempts on every route, keys, rate limits, bad input, the OpenAPI
//! document against the routes.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use securebase_api::routes::{Access, Route};
use securebase_api::{ApiConfig, AppState, ROUTES, router};
use securebase_runtime::Limits;
use securebase_scan::Scanner;
use securebase_scan::testing::builtin_scanner;
use securebase_store::testing::{TestDb, fresh};
use securebase_store::{Backend, KeyKind, KeyScope};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

securebase_store::both_backends!(
    the_readme_flow_works_end_to_end,
    a_kept_report_page_follows_the_newest_scan_and_the_tenant,
    no_tenant_key_reaches_another_tenant_on_any_route,
    keys_are_required_and_checked,
    bad_requests_get_a_clear_4xx_never_a_5xx,
    each_key_is_rate_limited_with_retry_after,
    an_uploaded_snapshot_is_scanned,
    the_openapi_document_matches_the_routes,
    every_request_and_scan_is_metered_once_at_its_price,
    closed_months_are_invoiced_once_and_stay_as_issued,
    drift_lists_what_changed_between_two_scans_of_a_changed_inventory,
    the_progress_stream_of_a_scan_is_read_from_start_to_end,
    schedules_are_validated_listed_and_removed,
    a_due_schedule_is_queued_and_run_by_the_service,
    webhooks_are_signed_and_retried_until_delivered,
    each_tenant_gets_its_own_external_id_and_needs_a_role,
    a_key_outside_its_scope_is_refused_on_every_route,
    keys_are_listed_without_secrets_and_revoked_at_once,
    refusals_are_audited_without_the_token,
    queued_scans_are_capped_per_tenant,
    progress_streams_are_bounded_and_end_at_their_maximum_duration,
    a_progress_stream_ends_with_its_revoked_key,
    a_client_that_disconnects_does_not_escape_the_audit_log,
    a_change_whose_audit_entry_cannot_be_written_is_not_made,
    tenants_bring_their_own_plugins_and_frameworks,
    uploads_that_break_the_rules_are_refused,
    a_hostile_tenant_plugin_is_contained,
    a_scan_keeps_the_inventory_it_evaluated,
    exceptions_are_checked_applied_to_scans_and_kept_with_their_history,
    attestations_with_evidence_are_applied_downloaded_and_kept_to_their_tenant,
    served_reports_are_signed_with_the_service_key,
    a_key_with_an_audit_window_sees_only_that_period,
    the_audit_package_holds_the_report_registers_and_evidence_under_a_signed_manifest,
);

/// The audit log refuses entries of some actions (as a full disk or a broken trigger
/// would): the changes those entries record are not made either, and an operator's
/// change is recorded with its usage event in the same transaction.
async fn a_change_whose_audit_entry_cannot_be_written_is_not_made(backend: Backend) {
    use sqlx::Executor;
    let app = App::new(backend, ApiConfig::default()).await;
    let (id, key) = app.tenant("Alpha").await;
    let mut conn = sqlx::AnyConnection::connect(&app._db.url).await.unwrap();
    let refuse = "NEW.action IN ('schedule.create', 'tenant.update', 'tenant.create')";
    match backend {
        Backend::Sqlite => {
            conn.execute(&*format!(
                "CREATE TRIGGER refuse_some_audit BEFORE INSERT ON audit_log WHEN {refuse} \
                 BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
            ))
            .await
            .unwrap();
        }
        Backend::Postgres => {
            conn.execute(&*format!(
                "CREATE FUNCTION refuse_some_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF {refuse} THEN RAISE EXCEPTION 'audit log unavailable'; END IF; RETURN NEW; END $$"
            ))
            .await
            .unwrap();
            conn.execute("CREATE TRIGGER refuse_some_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_some_audit()")
                .await
                .unwrap();
        }
    }
    let schedules = format!("/v1/tenants/{id}/schedules");
    let r = app.send(Method::POST, &schedules, &key, json!({"cron": "0 2 * * *", "source": "demo"})).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.json());
    let listed = app.get(&schedules, &key).await.json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(0), "no schedule without its audit entry: {listed}");
    let r = app.send(Method::PATCH, &format!("/v1/tenants/{id}"), &app.admin, json!({"name": "Renamed"})).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(app.get(&format!("/v1/tenants/{id}"), &key).await.json()["name"], "Alpha", "the rename was rolled back");
    let tenants_before = app.get("/v1/tenants", &app.admin).await.json()["total"].clone();
    let ghost = json!({"name": "Ghost", "tier": "standard", "framework": "cis-aws-foundations", "organization": "G",
                       "contact_email": "g@g.io", "billing_code": "G"});
    let r = app.send(Method::POST, "/v1/tenants", &app.admin, ghost).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(app.get("/v1/tenants", &app.admin).await.json()["total"], tenants_before, "no tenant without its entry");
    let ghosts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tenants WHERE name = 'Ghost'").fetch_one(&mut conn).await.unwrap();
    assert_eq!(ghosts, 0);
    // Alpha's creation (before the trigger) was metered with it, once.
    let created: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM usage_events WHERE tenant_id = $1 AND detail = 'POST /v1/tenants -> 201'")
        .bind(&id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(created, 1);
    // Actions the log still takes go through, each with its entry and usage event.
    let r = app.send(Method::POST, &format!("/v1/tenants/{id}/scans"), &key, json!({"source": "demo"})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let usage: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM usage_events WHERE tenant_id = $1 AND detail LIKE 'POST /v1/tenants/%/scans%'")
            .bind(&id)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(usage, 1, "the scan request's api_call, once");
    let audit = app.get(&format!("/v1/tenants/{id}/audit?limit=500"), &key).await.json();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "scan.create").count(), 1, "{actions:?}");
    assert!(!actions.contains(&"schedule.create") && !actions.contains(&"tenant.update"), "{actions:?}");
}

/// Reads a response body to its end, or gives up after `within` (`None`: still open).
async fn body_ends_within(body: Body, within: std::time::Duration) -> Option<String> {
    let body = tokio::time::timeout(within, body.collect()).await.ok()?;
    Some(String::from_utf8_lossy(&body.unwrap().to_bytes()).into_owned())
}

/// A stream's first event, read as soon as it comes, and the rest of its body. Reading
/// it before anything else happens keeps the test from racing the stream's own checks
/// (a stream first polled after its key was revoked rightly sends nothing).
async fn first_event(response: axum::response::Response) -> (String, Body) {
    let mut body = response.into_body();
    let frame = tokio::time::timeout(std::time::Duration::from_secs(10), body.frame())
        .await
        .expect("an event within 10 s")
        .expect("the stream sent an event before ending")
        .unwrap();
    (String::from_utf8_lossy(frame.data_ref().expect("a data frame")).into_owned(), body)
}

/// Progress streams of a scan that never ends (no workers): at most `per_key` open per
/// key (a `?wait=true` shares them), and each ends at its maximum duration.
async fn progress_streams_are_bounded_and_end_at_their_maximum_duration(backend: Backend) {
    use securebase_api::StreamLimits;
    let max_duration = std::time::Duration::from_secs(5);
    let streams = StreamLimits { per_key: 2, max_duration, recheck: std::time::Duration::from_millis(100) };
    let app = App::new(backend, ApiConfig { workers: 0, schedule_every: None, streams, ..ApiConfig::default() }).await;
    let (id, manage) = app.tenant("Alpha").await;
    let scan = app.send(Method::POST, &format!("/v1/tenants/{id}/scans"), &manage, json!({"source": "demo"})).await.json();
    let path = format!("/v1/tenants/{id}/scans/{}/events", scan["id"].as_str().unwrap());
    let open = |token: String| {
        let request =
            Request::builder().uri(path.clone()).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
        app.router.clone().oneshot(request)
    };
    // The first stream's first event is read as soon as it is open: its maximum duration
    // runs from then, and a stream first read after it rightly sends nothing.
    let opened = std::time::Instant::now();
    let first = open(manage.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let (opening, first) = first_event(first).await;
    assert!(opening.contains("event: queued"), "{opening}");
    let second = open(manage.clone()).await.unwrap();
    assert_eq!(second.status(), StatusCode::OK);
    let third = open(manage.clone()).await.unwrap();
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    let waited = app.send(Method::POST, &format!("/v1/tenants/{id}/scans?wait=true"), &manage, json!({"source": "demo"})).await;
    assert_eq!((waited.status, waited.error_code().as_str()), (StatusCode::TOO_MANY_REQUESTS, "too_many_streams"));
    // At its maximum duration a stream ends (the client reconnects with Last-Event-ID).
    let rest = body_ends_within(first, std::time::Duration::from_secs(30)).await.expect("the stream ended at its maximum duration");
    assert!(opened.elapsed() >= max_duration, "it ended after {:?}, before its maximum duration", opened.elapsed());
    assert!(!rest.contains("event:"), "a scan no worker runs has nothing after queued: {rest}");
    drop(second);
}

/// A read key's progress stream ends once the key is revoked, long before its maximum
/// duration (a minute here, so that only the revocation can end it within the test).
async fn a_progress_stream_ends_with_its_revoked_key(backend: Backend) {
    let streams = securebase_api::StreamLimits { max_duration: std::time::Duration::from_secs(60), ..Default::default() };
    let app = App::new(backend, ApiConfig { workers: 0, schedule_every: None, streams, ..ApiConfig::default() }).await;
    let (id, manage) = app.tenant("Alpha").await;
    let scan = app.send(Method::POST, &format!("/v1/tenants/{id}/scans"), &manage, json!({"source": "demo"})).await.json();
    let path = format!("/v1/tenants/{id}/scans/{}/events", scan["id"].as_str().unwrap());
    let (read_id, read) = scoped_key(&app, &id, &manage, "read").await;
    let request = Request::builder().uri(path).header(header::AUTHORIZATION, format!("Bearer {read}")).body(Body::empty()).unwrap();
    let watched = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(watched.status(), StatusCode::OK);
    let (opening, watched) = first_event(watched).await;
    assert!(opening.contains("event: queued"), "{opening}");
    let revoked = app.call(Method::DELETE, &format!("/v1/tenants/{id}/keys/{read_id}"), Some(&manage), None).await;
    assert_eq!(revoked.status, StatusCode::OK);
    body_ends_within(watched, std::time::Duration::from_secs(30)).await.expect("the stream of a revoked key ends");
}

/// A client that goes away while its request is being handled: the change it asked for
/// is still in the audit log (the handler and the audit run to the end without it).
async fn a_client_that_disconnects_does_not_escape_the_audit_log(backend: Backend) {
    let streams = securebase_api::StreamLimits { max_duration: std::time::Duration::from_secs(1), ..Default::default() };
    let app = App::new(backend, ApiConfig { workers: 0, schedule_every: None, streams, ..ApiConfig::default() }).await;
    let (id, key) = app.tenant("Alpha").await;
    // ?wait=true on a scan no worker runs: the scan is queued, then the client hangs up.
    let path = format!("/v1/tenants/{id}/scans?wait=true");
    let request = app.send(Method::POST, &path, &key, json!({"source": "demo"}));
    assert!(tokio::time::timeout(std::time::Duration::from_millis(300), request).await.is_err(), "still waiting when the client leaves");
    // The handler goes on without the client and ends at the stream's maximum duration
    // (1 s); its audit entry follows. Wait for both, however loaded the machine.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let scans = app.get(&format!("/v1/tenants/{id}/scans"), &key).await.json();
        let audit = app.get(&format!("/v1/tenants/{id}/audit"), &key).await.json();
        let actions: Vec<String> = audit["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap().to_owned()).collect();
        if scans["total"] == 1 && actions.iter().any(|a| a == "scan.create") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "scan queued: {}, audit: {actions:?}", scans["total"]);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A concrete path for a route template: the tenant's id, made-up ids elsewhere.
fn concrete(template: &str, tenant: &str) -> String {
    template
        .replace("{id}", tenant)
        .replace("{scan}", "s_none")
        .replace("{schedule}", "sch_none")
        .replace("{month}", "2026-01")
        .replace("{key}", "k_none")
}

/// Mints a key of `scope` with the tenant's manage key; returns its id and token.
async fn scoped_key(app: &App, tenant: &str, manage: &str, scope: &str) -> (String, String) {
    let r = app.send(Method::POST, &format!("/v1/tenants/{tenant}/keys"), manage, json!({"scope": scope, "label": scope})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let v = r.json();
    assert_eq!(v["scope"], scope);
    (v["id"].as_str().unwrap().to_string(), v["token"].as_str().unwrap().to_string())
}

/// Every tenant route, called with a `read` and a `scan` key: refused with 403
/// `insufficient_scope` exactly where the route needs more, and never refused for
/// scope where it does not.
async fn a_key_outside_its_scope_is_refused_on_every_route(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (id, manage) = app.tenant("Alpha").await;
    let (_, read) = scoped_key(&app, &id, &manage, "read").await;
    let (_, scan) = scoped_key(&app, &id, &manage, "scan").await;
    let tenant_routes: Vec<&Route> = ROUTES.iter().filter(|r| r.access == Access::Tenant).collect();
    assert!(tenant_routes.len() >= 20, "{}", tenant_routes.len());
    let mut refused = std::collections::BTreeMap::new();
    for (name, token, scope) in [("read", &read, KeyScope::Read), ("scan", &scan, KeyScope::Scan)] {
        for r in &tenant_routes {
            let reply = app.call(r.verb.method(), &concrete(r.path, &id), Some(token), None).await;
            let is_refused = reply.status == StatusCode::FORBIDDEN && reply.error_code() == "insufficient_scope";
            assert_eq!(is_refused, r.scope > scope, "{name} key on {} {}: {}", r.verb.as_str(), r.path, reply.status);
            assert_ne!(reply.status, StatusCode::UNAUTHORIZED);
            if is_refused {
                *refused.entry(name).or_insert(0) += 1;
            }
        }
    }
    // Both keys are refused somewhere (webhook, schedules, keys); the read key also on starting a scan.
    assert!(refused["scan"] >= 6, "{refused:?}");
    assert_eq!(refused["read"], refused["scan"] + 1, "{refused:?}");
    let started = app.send(Method::POST, &format!("/v1/tenants/{id}/scans?wait=true"), &scan, json!({"source": "demo"})).await;
    assert_eq!(started.status, StatusCode::CREATED, "a scan key starts scans");
    let scan_id = started.json()["id"].as_str().unwrap().to_string();
    let pdf = app.get(&format!("/v1/tenants/{id}/scans/{scan_id}/report.pdf"), &read).await;
    assert_eq!(pdf.status, StatusCode::OK, "a read key downloads reports");
    let minted = app.send(Method::POST, &format!("/v1/tenants/{id}/keys"), &scan, json!({"scope": "manage"})).await;
    assert_eq!(minted.error_code(), "insufficient_scope", "no key mints a wider one");
}

async fn keys_are_listed_without_secrets_and_revoked_at_once(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (a, manage) = app.tenant("Alpha").await;
    let (b, b_manage) = app.tenant("Beta").await;
    let r = app.send(Method::POST, &format!("/v1/tenants/{a}/keys"), &manage, json!({"scope": "read", "expires_in_days": 90})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let (read_id, read) = (r.json()["id"].as_str().unwrap().to_string(), r.json()["token"].as_str().unwrap().to_string());
    let expires = r.json()["expires_at"].as_str().unwrap().to_string();
    assert!(expires.as_str() > "2026-01-01" && expires.len() >= 20, "{expires}");
    for bad in [json!({"scope": "owner"}), json!({"expires_in_days": 0}), json!({"expires_in_days": 3651})] {
        let r = app.send(Method::POST, &format!("/v1/tenants/{a}/keys"), &manage, bad.clone()).await;
        assert!(r.status.is_client_error(), "{bad}: {}", r.status);
    }
    let list = app.get(&format!("/v1/tenants/{a}/keys"), &manage).await;
    assert_eq!(list.status, StatusCode::OK);
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "the tenant's first key and the read key: {items:?}");
    let text = String::from_utf8(list.bytes.clone()).unwrap();
    assert!(!text.contains(&read[read.len() - 40..]) && !text.contains("secret"), "no secret in a list: {text}");
    let listed = items.iter().find(|k| k["id"] == read_id.as_str()).unwrap();
    assert_eq!((listed["scope"].as_str(), listed["expires_at"].as_str()), (Some("read"), Some(expires.as_str())));
    assert!(listed["last_used_at"].is_null(), "not used yet");
    assert_eq!(app.get(&format!("/v1/tenants/{a}"), &read).await.status, StatusCode::OK);
    let listed = app.get(&format!("/v1/tenants/{a}/keys"), &manage).await.json();
    let used = listed["items"].as_array().unwrap().iter().find(|k| k["id"] == read_id.as_str()).unwrap().clone();
    assert!(used["last_used_at"].is_string(), "{used}");
    // Another tenant cannot see or revoke Alpha's keys, nor can the read key itself list them.
    assert_eq!(app.get(&format!("/v1/tenants/{a}/keys"), &b_manage).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.call(Method::DELETE, &format!("/v1/tenants/{b}/keys/{read_id}"), Some(&b_manage), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&format!("/v1/tenants/{a}/keys"), &read).await.error_code(), "insufficient_scope");
    // Revoked: the very next request fails.
    let gone = app.call(Method::DELETE, &format!("/v1/tenants/{a}/keys/{read_id}"), Some(&manage), None).await;
    assert_eq!((gone.status, gone.json()["revoked"].as_bool()), (StatusCode::OK, Some(true)));
    assert_eq!(app.get(&format!("/v1/tenants/{a}"), &read).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.call(Method::DELETE, &format!("/v1/tenants/{a}/keys/{read_id}"), Some(&manage), None).await.status,
        StatusCode::NOT_FOUND
    );
    let revoked = app.get(&format!("/v1/tenants/{a}/keys"), &manage).await.json();
    assert!(revoked["items"].as_array().unwrap().iter().any(|k| k["id"] == read_id.as_str() && k["revoked_at"].is_string()));

    // An expired key is refused like a revoked one.
    let expired =
        app._db.store.create_scoped_key(&KeyKind::Tenant(a.clone()), KeyScope::Read, Some(std::time::Duration::ZERO), "x").await.unwrap();
    assert_eq!(app.get(&format!("/v1/tenants/{a}"), &expired.token).await.status, StatusCode::UNAUTHORIZED);

    // Admin keys: listed, minted, revoked, but never the last one.
    let admins = app.get("/v1/keys", &app.admin).await.json();
    assert_eq!(admins["items"].as_array().unwrap().len(), 1);
    let first_admin = admins["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(app.get("/v1/keys", &manage).await.status, StatusCode::FORBIDDEN);
    let last = app.call(Method::DELETE, &format!("/v1/keys/{first_admin}"), Some(&app.admin), None).await;
    assert_eq!((last.status, last.error_code().as_str()), (StatusCode::CONFLICT, "last_admin_key"));
    let second = app.call(Method::POST, "/v1/keys", Some(&app.admin), None).await;
    assert_eq!(second.status, StatusCode::CREATED);
    let second_token = second.json()["token"].as_str().unwrap().to_string();
    let second_id = second.json()["id"].as_str().unwrap().to_string();
    let r = app.call(Method::DELETE, &format!("/v1/keys/{first_admin}"), Some(&second_token), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.get("/v1/keys", &app.admin).await.status, StatusCode::UNAUTHORIZED, "revoked at once");
    let r = app.call(Method::DELETE, &format!("/v1/keys/{second_id}"), Some(&second_token), None).await;
    assert_eq!(r.error_code(), "last_admin_key");
    assert_eq!(
        app.call(Method::DELETE, &format!("/v1/keys/{read_id}"), Some(&second_token), None).await.status,
        StatusCode::NOT_FOUND,
        "a tenant key is not an admin key"
    );
}

/// 401, 403 and 429 answers are in the audit log, the token nowhere in it.
async fn refusals_are_audited_without_the_token(backend: Backend) {
    let app = App::new(backend, ApiConfig { rate_limit_per_minute: 4, anonymous_per_minute: 2, ..ApiConfig::default() }).await;
    let (id, manage) = app.tenant("Alpha").await;
    let (_, read) = scoped_key(&app, &id, &manage, "read").await;
    let forbidden = app.call(Method::DELETE, &format!("/v1/tenants/{id}/webhook"), Some(&read), None).await;
    assert_eq!(forbidden.error_code(), "insufficient_scope");
    let path = format!("/v1/tenants/{id}");
    let limited: Vec<StatusCode> =
        futures_util::future::join_all((0..4).map(|_| app.get(&path, &read))).await.into_iter().map(|r| r.status).collect();
    assert!(limited.contains(&StatusCode::TOO_MANY_REQUESTS), "{limited:?}");
    let forged = format!("{}0000", &read[..read.len() - 4]);
    for _ in 0..2 {
        assert_eq!(app.get(&format!("/v1/tenants/{id}"), &forged).await.status, StatusCode::UNAUTHORIZED);
    }
    // A third bad try from the same address is limited, and not recorded.
    let third = app.get(&format!("/v1/tenants/{id}"), &forged).await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.get(&format!("/v1/tenants/{id}"), &manage).await.status, StatusCode::OK, "a valid key is not limited by its address");

    let log = app.get(&format!("/v1/tenants/{id}/audit?limit=500"), &manage).await.json();
    let refusals: Vec<(String, u64)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "request.refused")
        .map(|r| (r["target"].as_str().unwrap().to_string(), r["status"].as_u64().unwrap()))
        .collect();
    assert!(refusals.contains(&(format!("DELETE /v1/tenants/{id}/webhook"), 403)), "{refusals:?}");
    assert!(refusals.iter().any(|(_, s)| *s == 429), "{refusals:?}");
    let mut conn = sqlx::AnyConnection::connect(&app._db.url).await.unwrap();
    let rows: Vec<(String, i64, String, String)> =
        sqlx::query_as("SELECT actor, status, target, detail FROM audit_log WHERE tenant_id IS NULL AND action = 'request.refused'")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2, "each 401 recorded, the limited one not: {rows:?}");
    assert!(rows.iter().all(|(actor, status, ..)| actor == "anonymous" && *status == 401));
    let everything: Vec<(String,)> =
        sqlx::query_as("SELECT actor || target || detail || source FROM audit_log").fetch_all(&mut conn).await.unwrap();
    assert!(!everything.is_empty());
    for secret in [&read[read.len() - 40..], &forged[forged.len() - 40..], &manage[manage.len() - 40..]] {
        assert!(everything.iter().all(|(row,)| !row.contains(secret)), "a token reached the audit log");
    }
}

/// The confused deputy: every tenant has an external ID of the service's making, and an
/// account without a role (collected with the service's own credentials) is allowed
/// only on an instance started with `--allow-ambient-credentials`.
async fn each_tenant_gets_its_own_external_id_and_needs_a_role(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (a, a_key) = app.tenant("Alpha").await;
    let (b, _) = app.tenant("Beta").await;
    let id_of = |t: Value| t["aws_external_id"].as_str().unwrap().to_string();
    let (a_id, b_id) = (
        id_of(app.get(&format!("/v1/tenants/{a}"), &a_key).await.json()),
        id_of(app.get(&format!("/v1/tenants/{b}"), &app.admin).await.json()),
    );
    for x in [&a_id, &b_id] {
        assert!(x.starts_with("sb-") && x.len() == 35 && x[3..].bytes().all(|c| c.is_ascii_hexdigit()), "{x}");
    }
    assert_ne!(a_id, b_id);
    let patch = app.send(Method::PATCH, &format!("/v1/tenants/{a}"), &app.admin, json!({"aws_external_id": "mine"})).await;
    assert_eq!(patch.status, StatusCode::UNPROCESSABLE_ENTITY, "not settable: {}", patch.json());
    let rotate = format!("/v1/tenants/{a}/aws-external-id");
    assert_eq!(app.call(Method::POST, &rotate, Some(&a_key), None).await.status, StatusCode::FORBIDDEN);
    let rotated = app.call(Method::POST, &rotate, Some(&app.admin), None).await;
    assert_eq!(rotated.status, StatusCode::OK);
    let new_id = id_of(rotated.json());
    assert_ne!(new_id, a_id);
    assert_eq!(id_of(app.get(&format!("/v1/tenants/{a}"), &a_key).await.json()), new_id);
    assert_eq!(id_of(app.get(&format!("/v1/tenants/{b}"), &app.admin).await.json()), b_id, "only Alpha's changed");
    let audit = app.get(&format!("/v1/tenants/{a}/audit"), &app.admin).await.json();
    assert!(audit["items"].as_array().unwrap().iter().any(|e| e["action"] == "tenant.rotate_external_id"), "{audit}");

    let roleless = json!({"accounts": [{"account_id": "111122223333"}]});
    let refused = app.send(Method::PATCH, &format!("/v1/tenants/{a}"), &app.admin, roleless.clone()).await;
    assert_eq!((refused.status, refused.json()["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("role_arn_required")));
    let mut config = ApiConfig::default();
    config.worker.allow_ambient_credentials = true;
    let single = App::new(backend, config).await;
    let (c, _) = single.tenant("Solo").await;
    let allowed = single.send(Method::PATCH, &format!("/v1/tenants/{c}"), &single.admin, roleless).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.json());
}

fn this_month() -> String {
    securebase_api::billing::current_month().to_string()
}

fn scanner() -> Arc<Scanner> {
    static SCANNER: OnceLock<Arc<Scanner>> = OnceLock::new();
    SCANNER.get_or_init(|| Arc::new(builtin_scanner(Limits::default(), Some(2)))).clone()
}

/// Checks a response against the OpenAPI document: its status must be documented for
/// the route, and a JSON body must match the schema documented for that status (a
/// file its media type). Every call of these tests goes through it, so the document
/// cannot drift from what the service answers.
fn conforms(method: &Method, uri: &str, reply: &Reply) {
    /// Validators by (method, route, status), built once each.
    type Validators = std::sync::Mutex<HashMap<(String, String, u16), Arc<jsonschema::Validator>>>;
    static VALIDATORS: OnceLock<Validators> = OnceLock::new();
    let path = uri.split('?').next().unwrap();
    let body = String::from_utf8_lossy(&reply.bytes);
    let Some(route) = securebase_api::routes::find(method, path) else {
        // The router's fallbacks: no route, or a method the path does not take.
        assert!(
            [StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&reply.status),
            "{method} {path} is no declared route but answered {}",
            reply.status
        );
        return;
    };
    let doc = securebase_api::openapi::document();
    let op = &doc["paths"][route.path][route.verb.as_str()];
    let answer = &op["responses"][reply.status.as_str()];
    assert!(answer.is_object(), "{method} {path} answered {}, which its document does not list: {body}", reply.status);
    let Some(content) = answer.get("content").and_then(Value::as_object) else {
        assert!(reply.bytes.is_empty(), "{method} {path} {}: documented without a body, answered {body}", reply.status);
        return;
    };
    assert_eq!(content.len(), 1, "{method} {path}: one media type per answer");
    let (media, spec) = content.iter().next().unwrap();
    let sent = reply.headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap()).unwrap_or("");
    assert!(sent.starts_with(media.as_str()), "{method} {path} {}: documented as {media}, sent as {sent:?}", reply.status);
    if media != "application/json" {
        return;
    }
    let key = (route.verb.as_str().to_string(), route.path.to_string(), reply.status.as_u16());
    let validator = VALIDATORS
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry(key)
        .or_insert_with(|| {
            // The schema's references point into the document's components.
            let root = json!({ "components": doc["components"], "allOf": [spec["schema"]] });
            Arc::new(
                jsonschema::draft202012::new(&root).unwrap_or_else(|e| panic!("{} {}: bad schema: {e}", route.verb.as_str(), route.path)),
            )
        })
        .clone();
    let value: Value = serde_json::from_slice(&reply.bytes).unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {body}"));
    let errors: Vec<String> = validator.iter_errors(&value).map(|e| format!("{} at {}", e, e.instance_path())).take(5).collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {} does not match its documented schema:\n{}\nbody: {:.2000}",
        reply.status,
        errors.join("\n"),
        body
    );
}

struct App {
    router: axum::Router,
    admin: String,
    _db: TestDb,
}

use sqlx::Connection;

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }
    fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_else(|| panic!("no error shape: {}", self.json())).to_string()
    }
    fn error_message(&self) -> String {
        self.json()["error"]["message"].as_str().unwrap().to_string()
    }
}

impl App {
    async fn new(backend: Backend, config: ApiConfig) -> Self {
        let db = fresh(backend).await;
        let admin = db.store.create_key(&KeyKind::Admin, "test").await.unwrap().token;
        let router = router(AppState::new(db.store.clone(), scanner(), config));
        Self { router, admin, _db: db }
    }

    async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Vec<u8>>) -> Reply {
        let mut req = Request::builder().method(method.clone()).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        self.exchange(req.body(body.map(Body::from).unwrap_or_else(Body::empty)).unwrap()).await
    }

    /// Sends a request through the router; checks the answer against the document.
    async fn exchange(&self, req: Request<Body>) -> Reply {
        let (method, path) = (req.method().clone(), req.uri().path().to_string());
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        let reply = Reply { status, headers, bytes };
        conforms(&method, &path, &reply);
        reply
    }

    async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    async fn send(&self, method: Method, path: &str, token: &str, body: Value) -> Reply {
        self.call(method, path, Some(token), Some(body.to_string().into_bytes())).await
    }

    /// Creates a tenant; returns its id and its first key.
    async fn tenant(&self, name: &str) -> (String, String) {
        let r = self
            .send(
                Method::POST,
                "/v1/tenants",
                &self.admin,
                json!({
                    "name": name, "tier": "healthcare", "framework": "hipaa", "organization": format!("{name} Health"),
                    "contact_email": "ciso@example.org", "billing_code": "HC-001",
                    "accounts": [{"account_id": "111122223333", "regions": ["us-east-1"], "role_arn": "arn:aws:iam::111122223333:role/SecureBaseReadOnly"}],
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
        let v = r.json();
        (v["id"].as_str().unwrap().to_string(), v["api_key"]["token"].as_str().unwrap().to_string())
    }

    /// Runs a demo scan to the end; returns its id.
    async fn demo_scan(&self, tenant: &str, token: &str) -> String {
        let r = self.send(Method::POST, &format!("/v1/tenants/{tenant}/scans?wait=true"), token, json!({"source": "demo"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
        assert_eq!(r.json()["status"], "succeeded");
        r.json()["id"].as_str().unwrap().to_string()
    }
}

async fn the_readme_flow_works_end_to_end(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    assert_eq!(app.call(Method::GET, "/healthz", None, None).await.json()["status"], "ok");
    let (id, key) = app.tenant("Acme").await;

    let t = app.get(&format!("/v1/tenants/{id}"), &key).await.json();
    assert_eq!((t["tier"].as_str(), t["compliance"]["last_scan"].is_null()), (Some("healthcare"), true));

    let scan = app.demo_scan(&id, &key).await;
    let scans = app.get(&format!("/v1/tenants/{id}/scans"), &key).await.json();
    assert_eq!(scans["total"], 1);
    assert_eq!(scans["items"][0]["accounts"], 3);
    assert!(scans["items"][0]["duration_ms"].as_i64().is_some());

    // The compliance report agrees with the scan's own findings.
    let report = app.get(&format!("/v1/tenants/{id}/compliance-report?failing_limit=500"), &key).await;
    assert_eq!(report.status, StatusCode::OK);
    let report = report.json();
    assert_eq!(report["framework"]["id"], "hipaa", "the tenant's framework is the default");
    let s = &report["summary"];
    let total = s["total_controls"].as_u64().unwrap();
    let counted: u64 = ["passing", "failing", "non_applicable", "manual", "errored"].iter().map(|k| s[k].as_u64().unwrap()).sum();
    assert_eq!(counted, total);
    assert_eq!(report["requirements"].as_array().unwrap().len() as u64, total);
    let failing_reqs = report["requirements"].as_array().unwrap().iter().filter(|r| r["status"] == "fail").count() as u64;
    assert_eq!(failing_reqs, s["failing"].as_u64().unwrap());
    let failing = report["failing_findings"].as_array().unwrap();
    assert!(!failing.is_empty() && failing.iter().all(|f| !f["remediation"].as_str().unwrap().is_empty()));
    assert_eq!(report["failing_findings_total"].as_u64(), Some(failing.len() as u64), "one page holds them all here");
    // Most severe first; pages of them follow on.
    let rank = |s: &str| ["critical", "high", "medium", "low", "info"].iter().position(|x| *x == s).unwrap();
    let ranks: Vec<usize> = failing.iter().map(|f| rank(f["severity"].as_str().unwrap())).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    let second = app.get(&format!("/v1/tenants/{id}/compliance-report?failing_skip=2&failing_limit=3"), &key).await.json();
    assert_eq!(second["failing_findings"].as_array().unwrap()[..], failing[2..5]);
    assert_eq!(second["failing_findings_total"], report["failing_findings_total"]);

    // Findings filtered by framework and status are exactly the report's failing findings.
    let f = app.get(&format!("/v1/tenants/{id}/findings?framework=hipaa&status=fail&limit=500"), &key).await.json();
    assert_eq!(f["total"].as_u64().unwrap() as usize, failing.len());
    let requirement = failing[0]["requirements"][0].as_str().unwrap();
    let by_req = app.get(&format!("/v1/tenants/{id}/findings?requirement={requirement}&status=fail&limit=500"), &key).await.json();
    let expected = failing.iter().filter(|x| x["requirements"].as_array().unwrap().iter().any(|r| r == requirement)).count();
    assert_eq!(by_req["total"].as_u64().unwrap() as usize, expected);
    let high = app.get(&format!("/v1/tenants/{id}/findings?severity=high&account=111111111111&limit=500"), &key).await.json();
    let high = high["items"].as_array().unwrap();
    assert!(!high.is_empty(), "the demo's production account has high findings");
    assert!(high.iter().all(|x| x["severity"] == "high" && x["account_id"] == "111111111111"), "{high:?}");
    // Findings name their resources by their configuration items' names and ARNs, stored
    // with each finding: an RDS instance's id is a DbiResourceId nobody recognises.
    let rds: Vec<&Value> = failing.iter().filter(|f| f["resource_type"] == "AWS::RDS::DBInstance").collect();
    assert!(!rds.is_empty(), "the demo's RDS instances fail HIPAA checks");
    for r in &rds {
        let (id, name) = (r["resource_id"].as_str().unwrap(), r["resource_name"].as_str().unwrap());
        assert!(id.starts_with("db-") && r["resource_arn"].as_str().unwrap().ends_with(&format!(":db:{name}")), "{r}");
        let listed = f["items"].as_array().unwrap().iter().find(|x| x["resource_id"] == id && x["check_id"] == r["check_id"]).unwrap();
        assert_eq!((&listed["resource_name"], &listed["resource_arn"]), (&r["resource_name"], &r["resource_arn"]));
    }

    // The tenant shows its compliance status now.
    let t = app.get(&format!("/v1/tenants/{id}"), &key).await.json();
    assert_eq!(t["compliance"]["last_scan"]["id"], scan.as_str());
    assert_eq!(t["compliance"]["passing"], s["passing"]);
    assert_eq!(t["compliance"]["score"], s["score"]);

    // Report downloads, each audited.
    let pdf = app.get(&format!("/v1/tenants/{id}/scans/{scan}/report.pdf"), &key).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.bytes.starts_with(b"%PDF"));
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    let csv = app.get(&format!("/v1/tenants/{id}/scans/{scan}/report.csv"), &key).await;
    let all = app.get(&format!("/v1/tenants/{id}/findings?limit=1"), &key).await.json()["total"].as_u64().unwrap();
    assert_eq!(String::from_utf8(csv.bytes).unwrap().lines().count() as u64, all + 1, "a header and one row per finding");
    let ocsf = app.get(&format!("/v1/tenants/{id}/scans/{scan}/report.ocsf.json"), &key).await;
    assert!(!ocsf.json().as_array().unwrap().is_empty());

    let audit = app.get(&format!("/v1/tenants/{id}/audit?limit=500"), &key).await.json();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "tenant.create",
            "scan.create",
            "scan.list",
            "report.download:compliance-report",
            "report.download:compliance-report",
            "findings.read",
            "findings.read",
            "findings.read",
            "report.download:report.pdf",
            "report.download:report.csv",
            "findings.read",
            "report.download:report.ocsf.json"
        ]
    );
    assert!(audit["items"][0]["actor"].as_str().unwrap().starts_with("admin:k_"));
    assert!(audit["items"][1]["actor"].as_str().unwrap().starts_with("tenant:k_"));
    assert!(audit["items"].as_array().unwrap().iter().all(|r| r["outcome"] == "success"));

    // The admin patches, then deletes with confirmation; the tenant key dies with it.
    let p = app.send(Method::PATCH, &format!("/v1/tenants/{id}"), &app.admin, json!({"tier": "standard"})).await;
    assert_eq!((p.status, p.json()["tier"].as_str()), (StatusCode::OK, Some("standard")));
    let d = app.call(Method::DELETE, &format!("/v1/tenants/{id}"), Some(&app.admin), None).await;
    assert_eq!((d.status, d.error_code().as_str()), (StatusCode::BAD_REQUEST, "confirmation_required"));
    let d = app.call(Method::DELETE, &format!("/v1/tenants/{id}?confirmation=true"), Some(&app.admin), None).await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/v1/tenants/{id}"), &key).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&format!("/v1/tenants/{id}"), &app.admin).await.status, StatusCode::NOT_FOUND);
    let audit = app.get(&format!("/v1/tenants/{id}/audit?limit=500"), &app.admin).await.json();
    let last: Vec<_> =
        audit["items"].as_array().unwrap().iter().rev().take(3).map(|r| (r["action"].clone(), r["status"].clone())).collect();
    assert_eq!(last, [(json!("tenant.delete"), json!(200)), (json!("tenant.delete"), json!(400)), (json!("tenant.update"), json!(200))]);
}

/// The compliance report's pages of a finished scan are kept in memory; what can change
/// is not: the newest scan is asked for each time, the tenant's organization is read per
/// request, another framework or page is another answer, and no tenant is ever given
/// another's page.
async fn a_kept_report_page_follows_the_newest_scan_and_the_tenant(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (a, key_a) = app.tenant("Alpha").await;
    let (b, key_b) = app.tenant("Beta").await;
    let first = app.demo_scan(&a, &key_a).await;
    let report = |tenant: String, key: String, query: &'static str| {
        let app = &app;
        async move {
            let r = app.get(&format!("/v1/tenants/{tenant}/compliance-report{query}"), &key).await;
            assert_eq!(r.status, StatusCode::OK);
            r.json()
        }
    };
    let one = report(a.clone(), key_a.clone(), "").await;
    let again = report(a.clone(), key_a.clone(), "").await;
    assert_eq!(one, again, "the same page, from memory or not");
    assert_eq!((one["scan_id"].as_str(), one["tenant_id"].as_str()), (Some(first.as_str()), Some(a.as_str())));
    assert!(!one["failing_findings"].as_array().unwrap().is_empty());

    let renamed = app.send(Method::PATCH, &format!("/v1/tenants/{a}"), &app.admin, json!({"organization": "Alpha Renamed Ltd"})).await;
    assert_eq!(renamed.status, StatusCode::OK);
    let after = report(a.clone(), key_a.clone(), "").await;
    assert_eq!(after["organization"], "Alpha Renamed Ltd");
    assert_eq!(after["scan_id"], one["scan_id"]);

    let other_framework = report(a.clone(), key_a.clone(), "?framework=soc2").await;
    assert_eq!(other_framework["framework"]["id"], "soc2");
    assert_ne!(other_framework["requirements"], one["requirements"]);
    let next_page = report(a.clone(), key_a.clone(), "?failing_skip=1&failing_limit=2").await;
    assert_eq!(next_page["failing_findings"].as_array().unwrap()[..], one["failing_findings"].as_array().unwrap()[1..3]);

    let second = app.demo_scan(&a, &key_a).await;
    assert_ne!(second, first);
    assert_eq!(report(a.clone(), key_a.clone(), "").await["scan_id"], second.as_str(), "a newer scan is seen at once");
    let named = app.get(&format!("/v1/tenants/{a}/compliance-report?scan={first}"), &key_a).await.json();
    assert_eq!(named["scan_id"], first.as_str());

    // B has no scan yet: no page of A's is ever its answer, nor is A's scan reachable by id.
    let none = app.get(&format!("/v1/tenants/{b}/compliance-report"), &key_b).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let theirs = app.get(&format!("/v1/tenants/{b}/compliance-report?scan={first}"), &key_b).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let own = app.demo_scan(&b, &key_b).await;
    let b_report = report(b.clone(), key_b.clone(), "").await;
    assert_eq!((b_report["scan_id"].as_str(), b_report["tenant_id"].as_str()), (Some(own.as_str()), Some(b.as_str())));
    assert_eq!(b_report["organization"], "Beta Health");
}

async fn no_tenant_key_reaches_another_tenant_on_any_route(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (a, key_a) = app.tenant("Alpha").await;
    let (b, key_b) = app.tenant("Bravo").await;
    let scan_b = app.demo_scan(&b, &key_b).await;
    let scan_a = app.demo_scan(&a, &key_a).await;

    let mut tried = 0;
    for r in ROUTES.iter().filter(|r| r.path.contains("{id}")) {
        let (method, route) = (r.verb.method(), r.path);
        // B's tenant with B's scan, and A's own tenant path with B's scan.
        for (tenant, scan) in [(&b, &scan_b), (&a, &scan_b)] {
            if tenant == &a && !route.contains("{scan}") {
                continue;
            }
            let path = route.replace("{id}", tenant).replace("{scan}", scan).replace("{month}", &this_month());
            let body = match method {
                Method::POST if path.ends_with("/scans") => Some(json!({"source": "demo"}).to_string().into_bytes()),
                Method::PATCH => Some(json!({"tier": "standard"}).to_string().into_bytes()),
                _ => None,
            };
            let path = if method == Method::DELETE { format!("{path}?confirmation=true") } else { path };
            let r = app.call(method.clone(), &path, Some(&key_a), body).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}: {}", String::from_utf8_lossy(&r.bytes));
            assert!(!String::from_utf8_lossy(&r.bytes).contains("Bravo"), "{path} leaks B's data");
            tried += 1;
        }
    }
    assert!(tried >= 16, "{tried}");
    // Scans and findings addressed through A's own path but naming B's scan.
    for path in [format!("/v1/tenants/{a}/findings?scan={scan_b}"), format!("/v1/tenants/{a}/compliance-report?scan={scan_b}")] {
        assert_eq!(app.get(&path, &key_a).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // Operator-only collections refuse tenant keys outright.
    assert_eq!(app.get("/v1/tenants", &key_a).await.status, StatusCode::FORBIDDEN);
    let r = app.send(Method::POST, "/v1/tenants", &key_a, json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nothing of B changed, and A's attempts are in A's log, not B's.
    assert_eq!(app.get(&format!("/v1/tenants/{b}"), &key_b).await.json()["tier"], "healthcare");
    assert_eq!(app.get(&format!("/v1/tenants/{b}/scans"), &key_b).await.json()["total"], 1);
    let log_b = app.get(&format!("/v1/tenants/{b}/audit?limit=500"), &key_b).await.json();
    assert!(log_b["items"].as_array().unwrap().iter().all(|r| !r["actor"].as_str().unwrap().contains(&key_a[3..25])));
    let log_a = app.get(&format!("/v1/tenants/{a}/audit?limit=500"), &key_a).await.json();
    assert!(log_a["items"].as_array().unwrap().iter().any(|r| r["outcome"] == "failure" && r["status"] == 404));
    let _ = scan_a;
}

async fn keys_are_required_and_checked(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (id, key) = app.tenant("Alpha").await;
    let path = format!("/v1/tenants/{id}");
    let r = app.call(Method::GET, &path, None, None).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::UNAUTHORIZED, "unauthorized"));
    let mut forged = key.clone();
    forged.replace_range(forged.len() - 4.., "0000");
    let other_admin_shape = format!("sb_k_{}_{}", "0".repeat(20), "0".repeat(40));
    for bad in [forged.as_str(), other_admin_shape.as_str(), "sb_", "not-a-key"] {
        assert_eq!(app.get(&path, bad).await.status, StatusCode::UNAUTHORIZED, "{bad}");
    }
    assert_eq!(app.get(&path, &key).await.status, StatusCode::OK);
    // A second tenant key minted by the admin works, and is shown once.
    let k2 = app.call(Method::POST, &format!("/v1/tenants/{id}/keys"), Some(&app.admin), None).await;
    assert_eq!(k2.status, StatusCode::CREATED);
    let token = k2.json()["token"].as_str().unwrap().to_string();
    assert_eq!(app.get(&path, &token).await.status, StatusCode::OK);
    // A tenant's manage key mints its own keys, but cannot change its tenant.
    assert_eq!(app.call(Method::POST, &format!("/v1/tenants/{id}/keys"), Some(&key), None).await.status, StatusCode::CREATED);
    assert_eq!(app.send(Method::PATCH, &path, &key, json!({"tier": "standard"})).await.status, StatusCode::FORBIDDEN);
}

async fn bad_requests_get_a_clear_4xx_never_a_5xx(backend: Backend) {
    let app = App::new(backend, ApiConfig { body_limit: 64 << 10, ..ApiConfig::default() }).await;
    let (id, key) = app.tenant("Alpha").await;
    let good = json!({"name": "N", "tier": "standard", "framework": "cis-aws-foundations", "organization": "O",
                      "contact_email": "a@b.io", "billing_code": "B"});
    let with = |k: &str, v: Value| {
        let mut g = good.clone();
        g[k] = v;
        g.to_string().into_bytes()
    };
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(70 << 10)).into_bytes();
    /// Method, path, body, expected status, a fragment the message must contain.
    type Case = (Method, String, Option<Vec<u8>>, StatusCode, &'static str);
    let cases: Vec<Case> = vec![
        (Method::POST, "/v1/tenants".into(), Some(b"{not json".to_vec()), StatusCode::UNPROCESSABLE_ENTITY, "key must be a string"),
        (Method::POST, "/v1/tenants".into(), None, StatusCode::BAD_REQUEST, "needs a JSON body"),
        (Method::POST, "/v1/tenants".into(), Some(with("tier", json!(5))), StatusCode::UNPROCESSABLE_ENTITY, "field tier:"),
        (
            Method::POST,
            "/v1/tenants".into(),
            Some(with("tier", json!("gold"))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "field tier: unknown variant `gold`",
        ),
        (
            Method::POST,
            "/v1/tenants".into(),
            Some(with("colour", json!("red"))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown field `colour`",
        ),
        (
            Method::POST,
            "/v1/tenants".into(),
            Some(json!({"name": "N"}).to_string().into_bytes()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing field `tier`",
        ),
        (Method::POST, "/v1/tenants".into(), Some(with("contact_email", json!("nobody"))), StatusCode::BAD_REQUEST, "field contact_email"),
        (Method::POST, "/v1/tenants".into(), Some(with("name", json!("  "))), StatusCode::BAD_REQUEST, "field name: must not be empty"),
        (
            Method::POST,
            "/v1/tenants".into(),
            Some(with("framework", json!("pci"))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown framework \"pci\"; expected one of cis-aws-foundations",
        ),
        (Method::POST, "/v1/tenants".into(), Some(with("framework", json!(""))), StatusCode::BAD_REQUEST, "\"\" is not a framework id"),
        (
            Method::POST,
            "/v1/tenants".into(),
            Some(with("accounts", json!([{"account_id": "12"}]))),
            StatusCode::BAD_REQUEST,
            "accounts[0].account_id: expected 12 digits",
        ),
        (
            Method::POST,
            "/v1/tenants".into(),
            Some(with("accounts", json!([{"account_id": "111122223333", "role_arn": "arn:aws:iam::999999999999:role/x"}]))),
            StatusCode::BAD_REQUEST,
            "role_arn",
        ),
        (
            Method::POST,
            "/v1/tenants".into(),
            Some(with("accounts", json!([{"account_id": "111122223333"}]))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "accounts[0].role_arn: required",
        ),
        (
            Method::POST,
            "/v1/tenants".into(),
            Some(with("aws_external_id", json!("chosen-by-me"))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown field `aws_external_id`",
        ),
        (Method::POST, "/v1/tenants".into(), Some(big), StatusCode::PAYLOAD_TOO_LARGE, "larger than"),
        (Method::GET, "/v1/tenants?limit=0".into(), None, StatusCode::BAD_REQUEST, "limit must be between 1 and 500"),
        (Method::GET, "/v1/tenants?limit=abc".into(), None, StatusCode::BAD_REQUEST, "query string"),
        (Method::GET, "/v1/tenants?skip=-1".into(), None, StatusCode::BAD_REQUEST, "query string"),
        (Method::GET, "/v1/tenants?colour=red".into(), None, StatusCode::BAD_REQUEST, "unknown field `colour`"),
        (Method::GET, "/v1/nowhere".into(), None, StatusCode::NOT_FOUND, "no route for /v1/nowhere"),
        (Method::PUT, format!("/v1/tenants/{id}"), None, StatusCode::METHOD_NOT_ALLOWED, "PUT is not allowed"),
        (Method::GET, format!("/v1/tenants/{id}/findings?status=bogus"), None, StatusCode::BAD_REQUEST, "status: \"bogus\""),
        (
            Method::GET,
            format!("/v1/tenants/{id}/findings?framework=hipaa&requirement=nope"),
            None,
            StatusCode::NOT_FOUND,
            "no requirement \"nope\"",
        ),
        (Method::GET, format!("/v1/tenants/{id}/findings?check=nope"), None, StatusCode::NOT_FOUND, "no check \"nope\""),
        (Method::GET, format!("/v1/tenants/{id}/findings?check=No-pe"), None, StatusCode::BAD_REQUEST, "\"No-pe\" is not a check id"),
        (Method::GET, format!("/v1/tenants/{id}/compliance-report"), None, StatusCode::NOT_FOUND, "no finished scan"),
        (
            Method::GET,
            format!("/v1/tenants/{id}/compliance-report?framework=x"),
            None,
            StatusCode::NOT_FOUND,
            "no framework \"x\"; expected one of",
        ),
        (
            Method::GET,
            format!("/v1/tenants/{id}/compliance-report?framework="),
            None,
            StatusCode::BAD_REQUEST,
            "\"\" is not a framework id",
        ),
        (Method::GET, format!("/v1/tenants/{id}/scans/s_nope/report.pdf"), None, StatusCode::NOT_FOUND, "no scan with id s_nope"),
        (
            Method::GET,
            format!("/v1/tenants/{id}/scans/s_nope/report.docx"),
            None,
            StatusCode::NOT_FOUND,
            "expected one of: drift, events, deliveries, inventory, document, report.pdf, report.csv, report.ocsf.json",
        ),
        (
            Method::POST,
            format!("/v1/tenants/{id}/scans"),
            Some(json!({"source": "ftp"}).to_string().into_bytes()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown variant `ftp`",
        ),
        (
            Method::POST,
            format!("/v1/tenants/{id}/scans"),
            Some(json!({"source": "snapshot", "accounts": []}).to_string().into_bytes()),
            StatusCode::BAD_REQUEST,
            "at least one account",
        ),
        (
            Method::POST,
            format!("/v1/tenants/{id}/scans"),
            Some(json!({"source": "snapshot", "accounts": [{"accountId": "1"}]}).to_string().into_bytes()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "accounts[0]",
        ),
    ];
    for (method, path, body, status, fragment) in cases {
        let token = if path.starts_with("/v1/tenants/t_") { &key } else { &app.admin };
        let r = app.call(method.clone(), &path, Some(token), body).await;
        assert_eq!(r.status, status, "{method} {path}: {}", String::from_utf8_lossy(&r.bytes));
        assert!(r.error_message().contains(fragment), "{method} {path}: {:?} lacks {fragment:?}", r.error_message());
    }
    // A scan of the tenant's own accounts needs accounts.
    let r = app.send(Method::PATCH, &format!("/v1/tenants/{id}"), &app.admin, json!({"accounts": []})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.send(Method::POST, &format!("/v1/tenants/{id}/scans"), &key, json!({"source": "accounts"})).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::CONFLICT, "no_accounts"));
    // A scan that is not finished has no report yet: 409, not 500. Without workers, a
    // queued scan stays queued, so the answer does not depend on timing.
    let idle = App::new(backend, ApiConfig { workers: 0, schedule_every: None, ..ApiConfig::default() }).await;
    let (id, key) = idle.tenant("Idle").await;
    let queued = idle.send(Method::POST, &format!("/v1/tenants/{id}/scans"), &key, json!({"source": "demo"})).await;
    assert_eq!((queued.status, queued.json()["status"].as_str()), (StatusCode::ACCEPTED, Some("queued")));
    let scan = queued.json()["id"].as_str().unwrap().to_string();
    for path in [
        format!("/v1/tenants/{id}/scans/{scan}/report.pdf"),
        format!("/v1/tenants/{id}/scans/{scan}/report.csv"),
        format!("/v1/tenants/{id}/compliance-report?scan={scan}"),
    ] {
        let r = idle.get(&path, &key).await;
        assert_eq!((r.status, r.error_code().as_str()), (StatusCode::CONFLICT, "scan_not_finished"), "{path}");
    }
    assert_eq!(idle.get(&format!("/v1/tenants/{id}/scans/{scan}"), &key).await.json()["status"], "queued");
}

async fn each_key_is_rate_limited_with_retry_after(backend: Backend) {
    let app = App::new(backend, ApiConfig { rate_limit_per_minute: 3, ..ApiConfig::default() }).await;
    let (id, key) = app.tenant("Alpha").await;
    let path = format!("/v1/tenants/{id}");
    for _ in 0..3 {
        assert_eq!(app.get(&path, &key).await.status, StatusCode::OK);
    }
    let r = app.get(&path, &key).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    let wait: u64 = r.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    // The admin key (one request used creating the tenant) has its own bucket.
    assert_eq!(app.get(&path, &app.admin).await.status, StatusCode::OK);
}

async fn an_uploaded_snapshot_is_scanned(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (id, key) = app.tenant("Alpha").await;
    let demo = securebase_inventory::demo();
    let account: Value = serde_json::from_str(&securebase_inventory::to_json(&demo.accounts[0])).unwrap();
    let r = app
        .send(Method::POST, &format!("/v1/tenants/{id}/scans?wait=true"), &key, json!({"source": "snapshot", "accounts": [account]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let scan = r.json();
    assert_eq!(
        (scan["status"].as_str(), scan["accounts"].as_i64(), scan["source"].as_str()),
        (Some("succeeded"), Some(1), Some("snapshot"))
    );
    assert_eq!(scan["resources"].as_u64().unwrap() as usize, demo.accounts[0].len());
    let f = app.get(&format!("/v1/tenants/{id}/findings?limit=500"), &key).await.json();
    let accounts: BTreeSet<&str> = f["items"].as_array().unwrap().iter().map(|x| x["account_id"].as_str().unwrap()).collect();
    assert_eq!(accounts, BTreeSet::from([demo.accounts[0].account_id()]));
    // The uploaded bytes served their purpose: the finished scan's row no longer holds them.
    let mut conn = sqlx::AnyConnection::connect(&app._db.url).await.unwrap();
    let input: Option<String> =
        sqlx::query_scalar("SELECT input FROM scans WHERE id = $1").bind(scan["id"].as_str().unwrap()).fetch_one(&mut conn).await.unwrap();
    assert_eq!(input, None, "the snapshot is dropped once its scan has finished");
}

/// One tenant cannot fill the queue: past its cap, 429 too_many_queued_scans, and
/// another tenant still queues.
async fn queued_scans_are_capped_per_tenant(backend: Backend) {
    let app = App::new(backend, ApiConfig { workers: 0, schedule_every: None, max_queued_scans: 3, ..ApiConfig::default() }).await;
    let (a, a_key) = app.tenant("Alpha").await;
    let (b, b_key) = app.tenant("Beta").await;
    let mut statuses = vec![];
    for _ in 0..5 {
        let r = app.send(Method::POST, &format!("/v1/tenants/{a}/scans"), &a_key, json!({"source": "demo"})).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(r.error_code(), "too_many_queued_scans");
            assert_eq!(r.headers[header::RETRY_AFTER], "30");
        }
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses, [202, 202, 202, 429, 429]);
    let listed = app.get(&format!("/v1/tenants/{a}/scans"), &a_key).await.json();
    assert_eq!(listed["total"], 3, "the refused ones were not queued");
    let r = app.send(Method::POST, &format!("/v1/tenants/{b}/scans"), &b_key, json!({"source": "demo"})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "another tenant's queue is its own");
    // A deleted tenant's queued scans are cancelled, not run (and metered) later.
    let r = app.call(Method::DELETE, &format!("/v1/tenants/{a}?confirmation=true"), Some(&app.admin), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let mut conn = sqlx::AnyConnection::connect(&app._db.url).await.unwrap();
    let rows: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT status, error FROM scans WHERE tenant_id = $1").bind(&a).fetch_all(&mut conn).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|(s, e)| s == "failed" && e.as_deref() == Some("cancelled: the tenant was deleted")), "{rows:?}");
    let b_rows: Vec<(String,)> =
        sqlx::query_as("SELECT status FROM scans WHERE tenant_id = $1").bind(&b).fetch_all(&mut conn).await.unwrap();
    assert_eq!(b_rows, [("queued".to_string(),)], "Beta's scan is untouched");
}

async fn the_openapi_document_matches_the_routes(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let doc = app.call(Method::GET, "/v1/openapi.json", None, None).await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let routed: BTreeSet<(String, String)> = ROUTES.iter().map(|r| (r.verb.as_str().to_string(), r.path.to_string())).collect();
    assert_eq!(routed.len(), ROUTES.len());
    assert_eq!(documented, routed);
    assert_eq!(doc, securebase_api::openapi::for_catalogue(&scanner()), "the service serves the generated document");
    let checks = doc["components"]["schemas"]["CheckId"]["examples"].as_array().unwrap();
    let scanner = scanner();
    let catalogue: BTreeSet<&str> = scanner.plugins().iter().flat_map(|p| p.info().checks.iter().map(|c| c.id.as_str())).collect();
    assert!(catalogue.len() >= 100, "the built-in catalogue: {}", catalogue.len());
    let listed: BTreeSet<&str> = checks.iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(listed, catalogue, "the check ids the service runs");
    // Every listed route is served by the router (not its 404/405 fallbacks).
    let (id, key) = app.tenant("Alpha").await;
    let scan = app.demo_scan(&id, &key).await;
    for route in ROUTES {
        let path = route.path.replace("{id}", &id).replace("{scan}", &scan).replace("{month}", &this_month());
        let method = route.verb.method();
        let r = app.call(method.clone(), &path, Some(&app.admin), Some(b"{}".to_vec())).await;
        assert!(r.status != StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        if r.status == StatusCode::NOT_FOUND {
            assert!(!r.error_message().contains("no route"), "{method} {path} is not routed");
        }
        assert!(!r.status.is_server_error(), "{method} {path}: {}", String::from_utf8_lossy(&r.bytes));
    }
}

async fn every_request_and_scan_is_metered_once_at_its_price(backend: Backend) {
    let app = App::new(backend, ApiConfig { rate_limit_per_minute: 0, ..ApiConfig::default() }).await;
    let (id, key) = app.tenant("Alpha").await; // healthcare: 0.0005 a call, 50.00 a scan
    let (other, other_key) = app.tenant("Bravo").await;
    // Many calls at once, from one tenant key.
    const N: usize = 40;
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..N {
        let router = app.router.clone();
        let req = Request::get(format!("/v1/tenants/{id}/scans"))
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .body(Body::empty())
            .unwrap();
        calls.spawn(async move { router.oneshot(req).await.unwrap().status() });
    }
    while let Some(status) = calls.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    app.demo_scan(&id, &key).await;
    let u = app.get(&format!("/v1/tenants/{id}/usage"), &key).await.json();
    let kind = |k: &str| u["totals"].as_array().unwrap().iter().find(|t| t["kind"] == k).unwrap().clone();
    // N listings and one scan request by the tenant (billable), the creation by the admin (metered, not billed).
    let calls = kind("api_call");
    assert_eq!((calls["events"].as_u64(), calls["billable_quantity"].as_u64()), (Some(N as u64 + 2), Some(N as u64 + 1)));
    // 41 x 0.0005 = 0.0205
    assert_eq!(calls["cost"], "0.0205");
    let scans = kind("compliance_scan");
    assert_eq!((scans["events"].as_u64(), scans["cost"].as_str()), (Some(1), Some("50.00")));
    let detail = &scans["by_price"][0];
    assert_eq!((detail["tier"].as_str(), detail["unit_price_micros"].as_i64()), (Some("healthcare"), Some(50_000_000)));
    // The estimate: a prorated healthcare base fee, 41 calls (0.0205 -> 0.02), one scan (50.00).
    let est = &u["estimated_invoice"];
    let lines = est["lines"].as_array().unwrap();
    assert_eq!(lines.iter().map(|l| l["kind"].as_str().unwrap()).collect::<Vec<_>>(), ["base", "api_call", "compliance_scan"]);
    assert_eq!((lines[1]["amount_cents"].as_i64(), lines[2]["amount_cents"].as_i64()), (Some(2), Some(5_000)));
    // Reading usage is itself a call, metered after it answered.
    let again = app.get(&format!("/v1/tenants/{id}/usage"), &key).await.json();
    assert_eq!(again["totals"][0]["events"].as_u64(), Some(N as u64 + 3));
    // The tenant view shows this month's usage.
    let t = app.get(&format!("/v1/tenants/{id}"), &key).await.json();
    assert_eq!((t["usage"]["month"].as_str(), t["usage"]["compliance_scans"].as_i64()), (Some(this_month().as_str()), Some(1)));
    // Another tenant's usage and invoices are not there for this key; its own count is untouched.
    let month = this_month();
    for path in [format!("/v1/tenants/{other}/usage"), format!("/v1/tenants/{other}/invoices/{month}")] {
        assert_eq!(app.get(&path, &key).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let theirs = app.get(&format!("/v1/tenants/{other}/usage"), &other_key).await.json();
    assert_eq!(theirs["totals"][0]["billable_quantity"].as_u64(), Some(0));
    assert_eq!(theirs["totals"][1]["events"].as_u64(), Some(0));
    // This month's invoice is open and equals the estimate; bad months are refused.
    let inv = app.get(&format!("/v1/tenants/{id}/invoices/{month}"), &key).await.json();
    assert_eq!((inv["status"].as_str(), inv["lines"].as_array().unwrap().len()), (Some("open"), 3));
    for bad in ["2026-13", "next"] {
        let r = app.get(&format!("/v1/tenants/{id}/invoices/{bad}"), &key).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    // A month that has not started has no invoice yet.
    let r = app.get(&format!("/v1/tenants/{id}/invoices/2999-01"), &key).await;
    assert_eq!((r.status, r.error_message().contains("has not started")), (StatusCode::NOT_FOUND, true));
}

async fn closed_months_are_invoiced_once_and_stay_as_issued(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let r = app
        .send(
            Method::POST,
            "/v1/tenants",
            &app.admin,
            json!({"name": "Std", "tier": "standard", "framework": "cis-aws-foundations", "organization": "Std Co",
                   "contact_email": "a@std.example", "billing_code": "S-1"}),
        )
        .await;
    let id = r.json()["id"].as_str().unwrap().to_string();
    let key = r.json()["api_key"]["token"].as_str().unwrap().to_string();
    // Move the tenant's history into last month, as the owner (the service cannot rewrite it).
    let last = {
        let m = securebase_api::billing::current_month();
        let first = m.first_day() - 1;
        securebase_billing::Month::of_unix(first * 86_400)
    };
    let start = format!("{last}-01T00:00:00.000000Z");
    let mut owner = sqlx::AnyConnection::connect(&app._db.url).await.unwrap();
    for sql in [
        format!("UPDATE tenants SET created_at = '{start}' WHERE id = '{id}'"),
        format!("UPDATE tier_history SET effective_at = '{start}' WHERE tenant_id = '{id}'"),
    ] {
        sqlx::Executor::execute(&mut owner, sql.as_str()).await.unwrap();
    }
    // Three billable calls at 0.0001 and two scans at 15.00, last month.
    for (i, (kind, price)) in
        [("api_call", 100), ("api_call", 100), ("api_call", 100), ("compliance_scan", 15_000_000), ("compliance_scan", 15_000_000)]
            .iter()
            .enumerate()
    {
        let sql = format!(
            "INSERT INTO usage_events (dedup_key, tenant_id, at, kind, quantity, tier, unit_price_micros, billable, detail) \
             VALUES ('seed:{i}', '{id}', '{last}-1{i}T12:00:00.000000Z', '{kind}', 1, 'standard', {price}, 1, '')"
        );
        sqlx::Executor::execute(&mut owner, sql.as_str()).await.unwrap();
    }
    // Before issuing: a draft. base 2,000.00 + 3 x 0.0001 = 0.0003 -> 0.00 + 2 x 15.00 = 30.00
    // = 2,030.00; no discount; tax 162.40; total 2,192.40.
    let draft = app.get(&format!("/v1/tenants/{id}/invoices/{last}"), &key).await.json();
    assert_eq!((draft["status"].as_str(), draft["total_cents"].as_i64()), (Some("draft"), Some(219_240)), "{draft}");

    let store = app._db.store.clone();
    let pricing = securebase_billing::Pricing::builtin();
    let issued = securebase_api::billing::issue_month(&store, &pricing, last).await.unwrap();
    assert_eq!(issued.len(), 1);
    assert!(issued[0].1, "issued by this call");
    assert_eq!(issued[0].0.total_cents, 219_240);
    // More usage dated in that month afterwards does not change what was issued.
    sqlx::Executor::execute(
        &mut owner,
        format!("INSERT INTO usage_events (dedup_key, tenant_id, at, kind, quantity, tier, unit_price_micros, billable, detail) VALUES ('late', '{id}', '{last}-20T00:00:00.000000Z', 'compliance_scan', 1, 'standard', 15000000, 1, '')").as_str(),
    )
    .await
    .unwrap();
    let again = securebase_api::billing::issue_month(&store, &pricing, last).await.unwrap();
    assert_eq!((again[0].0.clone(), again[0].1), (issued[0].0.clone(), false));
    let inv = app.get(&format!("/v1/tenants/{id}/invoices/{last}"), &key).await.json();
    assert_eq!((inv["status"].as_str(), inv["total"].as_str()), (Some("issued"), Some("2192.40")));
    // The database refuses to change or remove it.
    for sql in ["UPDATE invoices SET total_cents = 0", "DELETE FROM invoices", "DELETE FROM usage_events"] {
        let err = sqlx::Executor::execute(&mut owner, sql).await.expect_err(sql).to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    // The current month cannot be issued yet.
    let now = securebase_api::billing::current_month();
    assert!(securebase_api::billing::issue_month(&store, &pricing, now).await.unwrap_err().to_string().contains("not over yet"));
}

/// The staging account of the demo as an uploaded document, and a changed copy: its
/// `acme-staging-app-assets` bucket replaced by an identical bucket under another name.
fn staging_before_and_after() -> (Value, Value, &'static str, &'static str) {
    let demo = securebase_inventory::demo();
    let staging = demo.accounts.iter().find(|a| a.account_id() == "222222222222").unwrap();
    let before: Value = serde_json::from_str(&securebase_inventory::to_json(staging)).unwrap();
    let (old, new) = ("acme-staging-app-assets", "acme-staging-app-assets-v2");
    let mut after = before.clone();
    let items = after["configurationItems"].as_array_mut().unwrap();
    let i = items.iter().position(|it| it["resourceId"] == old).expect("the demo has the bucket");
    let copy = serde_json::from_str::<Value>(&items[i].to_string().replace(old, new)).unwrap();
    items[i] = copy;
    (before, after, old, new)
}

impl App {
    /// Uploads one account document and waits for the scan; returns the scan.
    async fn snapshot_scan(&self, tenant: &str, token: &str, account: &Value) -> Value {
        let r = self
            .send(
                Method::POST,
                &format!("/v1/tenants/{tenant}/scans?wait=true"),
                token,
                json!({"source": "snapshot", "accounts": [account]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
        assert_eq!(r.json()["status"], "succeeded", "{}", r.json());
        r.json()
    }

    /// The failing check ids of one resource in a scan.
    async fn failing_checks(&self, tenant: &str, token: &str, scan: &str, resource: &str) -> BTreeSet<String> {
        let f = self.get(&format!("/v1/tenants/{tenant}/findings?scan={scan}&status=fail&limit=500"), token).await.json();
        f["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["resource_id"] == resource)
            .map(|x| x["check_id"].as_str().unwrap().to_string())
            .collect()
    }
}

/// A date `days` from today, `YYYY-MM-DD`.
fn date_in(days: i64) -> String {
    let now = securebase_inventory::time::now_unix();
    securebase_inventory::time::format_rfc3339(now + days * 86_400)[..10].to_string()
}

/// The demo's findings with a status, as (account, resource, exception id).
fn findings_with_status(doc: &Value, status: &str, check: &str) -> Vec<(String, String, Option<String>)> {
    doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["findings"].as_array().unwrap().iter().map(move |f| (a, f)))
        .filter(|(_, f)| f["status"] == status && f["check_id"] == check)
        .map(|(a, f)| {
            (
                a["account_id"].as_str().unwrap().into(),
                f["resource_id"].as_str().unwrap().into(),
                f["exception_id"].as_str().map(Into::into),
            )
        })
        .collect()
}

/// Exceptions through the API: refused naming the field, applied by every later scan
/// (excepted findings, passing_with_exceptions), changed and deleted with the history
/// kept; a `read` key reads but cannot change; another tenant sees none of it; once
/// expired the findings fail again and drift says why.
async fn exceptions_are_checked_applied_to_scans_and_kept_with_their_history(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (id, key) = app.tenant("Acme Health").await;
    let (_, read) = scoped_key(&app, &id, &key, "read").await;
    let url = format!("/v1/tenants/{id}/exceptions");
    let good = json!({
        "check": "s3_bucket_no_mfa_delete", "account": "333333333333", "resource": "acme-security-*",
        "justification": "Log buckets are write-once via Object Lock.", "approved_by": "ciso@acme-health.example",
        "expires": date_in(180), "ticket": "https://jira.example/RISK-7",
    });
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v;
        }
        b
    };
    for (body, field) in [
        (with("justification", Value::Null), "field justification: required"),
        (with("check", json!("no_such_check")), "field check: no check \"no_such_check\""),
        (with("expires", json!(date_in(-1))), "field expires: "),
        (with("expires", json!(date_in(400))), "more than 366 days ahead"),
        (with("account", json!("3333")), "field account: \"3333\" is not an account id"),
    ] {
        let r = app.send(Method::POST, &url, &key, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json());
        assert!(r.json()["error"]["message"].as_str().unwrap().contains(field), "{field}: {}", r.json());
    }
    assert_eq!(app.send(Method::POST, &url, &read, good.clone()).await.status, StatusCode::FORBIDDEN, "a read key cannot create");
    let r = app.send(Method::POST, &url, &key, good.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let created = r.json();
    let ex = created["id"].as_str().unwrap().to_string();
    assert!(ex.starts_with("ex_"), "{created}");
    assert_eq!((created["state"].as_str(), created["history"].as_array().map(Vec::len)), (Some("active"), Some(1)));
    assert_eq!(created["history"][0]["action"], "created");

    // The next scan applies it: the two failing log buckets of 333333333333 are excepted.
    let first = app.demo_scan(&id, &key).await;
    let doc = app.document(&id, &read, &first).await;
    let excepted = findings_with_status(&doc, "excepted", "s3_bucket_no_mfa_delete");
    assert_eq!(excepted.len(), 2, "{excepted:?}");
    assert!(excepted.iter().all(|(a, r, e)| a == "333333333333" && r.starts_with("acme-security-") && e.as_deref() == Some(ex.as_str())));
    assert_eq!(doc["exceptions"][0]["matched"], 2);
    let account = doc["accounts"].as_array().unwrap().iter().find(|a| a["account_id"] == "333333333333").unwrap();
    let hipaa = account["frameworks"].as_array().unwrap().iter().find(|f| f["framework"] == "hipaa").unwrap();
    assert_eq!(hipaa["summary"]["passing_with_exceptions"], 1, "164.312(c)(2) passes with the exception in that account");

    // Changed: the history says who changed what.
    let r = app.send(Method::PATCH, &format!("{url}/{ex}"), &key, json!({"justification": "Object Lock, compliance mode."})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let history = r.json()["history"].clone();
    assert_eq!(history.as_array().map(Vec::len), Some(2));
    assert_eq!(
        history[1]["changes"],
        json!({"justification": ["Log buckets are write-once via Object Lock.", "Object Lock, compliance mode."]})
    );
    let r = app.send(Method::PATCH, &format!("{url}/{ex}"), &key, json!({"expires": date_in(-3)})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a new expiry in the past");
    assert_eq!(app.send(Method::PATCH, &format!("{url}/{ex}"), &read, json!({"ticket": null})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&url, &read).await.json()["items"].as_array().map(Vec::len), Some(1), "a read key reads them");

    // Another tenant sees none of it.
    let (other, other_key) = app.tenant("Bravo").await;
    for path in [format!("/v1/tenants/{other}/exceptions/{ex}"), format!("{url}/{ex}")] {
        assert_eq!(app.get(&path, &other_key).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.get(&format!("/v1/tenants/{other}/exceptions"), &other_key).await.json()["items"], json!([]));
    let r = app.send(Method::PATCH, &format!("/v1/tenants/{other}/exceptions/{ex}"), &other_key, json!({"ticket": null})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Expired (as time would make it): the next scan fails them again and drift says why.
    let mut lapsed = app._db.store.get_exception(&id, &ex).await.unwrap().unwrap().exception;
    lapsed.expires = date_in(-1);
    app._db.store.update_exception(&id, &lapsed, "test:clock").await.unwrap().unwrap();
    let second = app.demo_scan(&id, &key).await;
    let doc = app.document(&id, &read, &second).await;
    assert!(findings_with_status(&doc, "excepted", "s3_bucket_no_mfa_delete").is_empty());
    assert_eq!(doc["exceptions"][0]["state"], "expired");
    let drift = app.get(&format!("/v1/tenants/{id}/scans/{second}/drift"), &read).await.json()["drift"].clone();
    let lapsed: Vec<&str> = drift["exception_expired"].as_array().unwrap().iter().map(|f| f["resource_id"].as_str().unwrap()).collect();
    assert_eq!(lapsed, ["acme-security-access-logs", "acme-security-config-history"], "{drift}");
    assert!(drift["new_failures"].as_array().unwrap().is_empty(), "{drift}");
    assert_eq!(app.get(&format!("{url}/{ex}"), &read).await.json()["state"], "expired");

    // Deleted: gone from the list and from later scans, kept with its history.
    assert_eq!(app.call(Method::DELETE, &format!("{url}/{ex}"), Some(&read), None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call(Method::DELETE, &format!("{url}/{ex}"), Some(&key), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&url, &key).await.json()["items"], json!([]));
    let gone = app.get(&format!("{url}/{ex}"), &key).await.json();
    assert_eq!(gone["state"], "deleted");
    let actions: Vec<&str> = gone["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["created", "updated", "updated", "deleted"]);
    assert_eq!(app.call(Method::DELETE, &format!("{url}/{ex}"), Some(&key), None).await.status, StatusCode::NOT_FOUND);
}

/// With a signing key the service signs the PDFs it serves and publishes the public key;
/// a changed byte breaks the signature. Without one it says it signs nothing.
async fn served_reports_are_signed_with_the_service_key(backend: Backend) {
    let unsigned = App::new(backend, ApiConfig::default()).await;
    assert_eq!(unsigned.call(Method::GET, "/v1/signing-key", None, None).await.status, StatusCode::NOT_FOUND);
    use base64::Engine as _;
    let seed = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let key = securebase_kit::signing::SecretKey::from_env_value(&seed).unwrap();
    let app = App::new(backend, ApiConfig { report_key: Some(std::sync::Arc::new(key)), ..ApiConfig::default() }).await;
    let published = app.call(Method::GET, "/v1/signing-key", None, None).await.json();
    let public = securebase_kit::signing::decode_public_key(published["public_key"].as_str().unwrap()).unwrap();
    let (id, token) = app.tenant("Acme Health").await;
    let scan = app.demo_scan(&id, &token).await;
    let pdf = app.get(&format!("/v1/tenants/{id}/scans/{scan}/report.pdf?framework=hipaa"), &token).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let seal = securebase_reports::seal::open(&pdf.bytes).expect("the served PDF is signed");
    assert_eq!(securebase_kit::signing::decode_public_key(&seal.key), Some(public));
    assert_eq!(securebase_reports::seal::content_sha256(&seal), seal.sha256);
    let signature = securebase_kit::signing::decode_signature(seal.signature.as_bytes()).unwrap();
    assert!(securebase_kit::signing::verifies(&public, seal.content, &signature));
    let mut changed = seal.content.to_vec();
    changed[100] ^= 1;
    assert!(!securebase_kit::signing::verifies(&public, &changed, &signature), "a changed byte breaks the signature");
}

/// A multipart body: the JSON part `attestation` and file parts `evidence`.
fn multipart(attestation: &Value, files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "securebase-test-boundary-7d1f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"attestation\"\r\nContent-Type: application/json\r\n\r\n{attestation}\r\n"
    )
    .into_bytes();
    for (name, bytes) in files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Attestations through the API: refused naming the field (unknown framework or
/// requirement, an automated requirement, evidence over the cap); applied by the next
/// scan (the manual HIPAA specification is attested); the evidence downloads with the
/// SHA-256 it is listed under, with a `read` key (which cannot create or delete); another
/// tenant gets 404 on all of it.
async fn attestations_with_evidence_are_applied_downloaded_and_kept_to_their_tenant(backend: Backend) {
    let app = App::new(backend, ApiConfig { evidence_size_limit: 4096, ..ApiConfig::default() }).await;
    let (id, key) = app.tenant("Acme Health").await;
    let (_, read) = scoped_key(&app, &id, &key, "read").await;
    let url = format!("/v1/tenants/{id}/attestations");
    let plan = b"Contingency plan test, 2026-10-14: failover in 41 minutes.".to_vec();
    let good = json!({
        "framework": "hipaa", "requirement": "164.308(a)(7)(ii)(D)", "statement": "The contingency plan was tested and revised.",
        "attested_by": "ciso@acme-health.example", "valid_from": "2026-10-14", "valid_until": date_in(200),
    });
    let post = |token: String, fields: Value, files: Vec<(&'static str, Vec<u8>)>| {
        let url = url.clone();
        let app = &app;
        async move {
            let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
            let (media, body) = multipart(&fields, &refs);
            app.upload(Method::POST, &url, &token, &media, body, &[]).await
        }
    };
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    for (fields, files, field) in [
        (with("framework", json!("pci-dss")), vec![], "field framework: no framework \"pci-dss\""),
        (with("requirement", json!("9.9.9")), vec![], "field requirement: no requirement \"9.9.9\" in hipaa"),
        (with("requirement", json!("164.312(c)(2)")), vec![], "is decided by checks"),
        (with("statement", json!("")), vec![], "field statement: required"),
        (good.clone(), vec![("big.bin", vec![7u8; 5000])], "part evidence[0] (big.bin): 5000 bytes, over the 4096-byte cap"),
    ] {
        let r = post(key.clone(), fields, files).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&r.bytes));
        assert!(r.json()["error"]["message"].as_str().unwrap().contains(field), "{field}: {}", r.json());
    }
    assert_eq!(post(read.clone(), good.clone(), vec![]).await.status, StatusCode::FORBIDDEN, "a read key cannot attest");
    let r = post(key.clone(), good.clone(), vec![("../../contingency-plan.txt", plan.clone())]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    let created = r.json();
    let at = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["state"], "valid");
    let sha = securebase_runtime::cache::sha256_hex(&plan);
    assert_eq!(
        created["evidence"],
        json!([{"name": "contingency-plan.txt", "sha256": sha, "media_type": "text/plain", "size": plan.len()}])
    );

    // The auditor's key lists it and downloads the evidence, byte for byte.
    assert_eq!(app.get(&url, &read).await.json()["items"].as_array().map(Vec::len), Some(1));
    let r = app.get(&format!("{url}/{at}/evidence/{sha}"), &read).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(securebase_runtime::cache::sha256_hex(&r.bytes), sha);
    assert_eq!(r.headers[header::CONTENT_DISPOSITION], "attachment; filename=\"contingency-plan.txt\"");
    let other_sha = "0".repeat(64);
    assert_eq!(app.get(&format!("{url}/{at}/evidence/{other_sha}"), &read).await.status, StatusCode::NOT_FOUND);

    // The next scan applies it.
    let scan = app.demo_scan(&id, &key).await;
    let doc = app.document(&id, &read, &scan).await;
    let hipaa = doc["organization"]["frameworks"].as_array().unwrap().iter().find(|f| f["framework"] == "hipaa").unwrap();
    let status = hipaa["requirements"].as_array().unwrap().iter().find(|r| r["id"] == "164.308(a)(7)(ii)(D)").unwrap()["status"].clone();
    assert_eq!(status, "attested");
    assert_eq!(hipaa["summary"]["attested"], 1);
    assert_eq!(doc["attestations"][0]["evidence"][0]["sha256"], sha.as_str());

    // Another tenant sees none of it, the evidence included.
    let (other, other_key) = app.tenant("Bravo").await;
    for path in [format!("{url}/{at}"), format!("{url}/{at}/evidence/{sha}"), format!("/v1/tenants/{other}/attestations/{at}")] {
        assert_eq!(app.get(&path, &other_key).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.get(&format!("/v1/tenants/{other}/attestations/{at}/evidence/{sha}"), &other_key).await.status, StatusCode::NOT_FOUND);

    // Deleted: gone from the list and later scans; the scan that applied it still shows it.
    assert_eq!(app.call(Method::DELETE, &format!("{url}/{at}"), Some(&read), None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call(Method::DELETE, &format!("{url}/{at}"), Some(&key), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&url, &key).await.json()["items"], json!([]));
    assert_eq!(app.get(&format!("{url}/{at}"), &key).await.json()["state"], "deleted");
    let later = app.demo_scan(&id, &key).await;
    assert!(app.document(&id, &read, &later).await.get("attestations").is_none());
    let drift = app.get(&format!("/v1/tenants/{id}/scans/{later}/drift"), &read).await.json()["drift"].clone();
    assert_eq!(
        drift["attestation_expired"],
        json!([{"framework": "hipaa", "requirement": "164.308(a)(7)(ii)(D)"}]),
        "manual again: {drift}"
    );
    assert_eq!(app.document(&id, &read, &scan).await["attestations"][0]["id"], at.as_str());
}

/// What a scan evaluated is kept with it (for `securebase plugin replay`): the uploaded
/// account, byte for byte the digest the scan document records, readable with a `read`
/// key (an auditor's) and by nobody else.
async fn a_scan_keeps_the_inventory_it_evaluated(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (id, key) = app.tenant("Acme Health").await;
    let (before, ..) = staging_before_and_after();
    let scan = app.snapshot_scan(&id, &key, &before).await;
    let scan_id = scan["id"].as_str().unwrap();
    let (_, read) = scoped_key(&app, &id, &key, "read").await;
    let r = app.get(&format!("/v1/tenants/{id}/scans/{scan_id}/inventory"), &read).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
    let kept = r.json();
    assert_eq!(kept, json!([before]), "the inventory is the uploaded account");
    let digest = securebase_runtime::cache::sha256_hex(serde_json::to_string(&kept).unwrap().as_bytes());
    let document = app.document(&id, &read, scan_id).await;
    assert_eq!(document["inventory_sha256"], digest);
    assert!(document.get("inventory").is_none(), "the service keeps the inventory beside the document, not in it");

    // Another tenant, or a scan that is not there, gets a 404.
    let (other, other_key) = app.tenant("Bravo").await;
    for (tenant, token) in [(&id, &other_key), (&other, &other_key)] {
        let r = app.get(&format!("/v1/tenants/{tenant}/scans/{scan_id}/inventory"), token).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", String::from_utf8_lossy(&r.bytes));
    }
    let r = app.get(&format!("/v1/tenants/{id}/scans/s_nope/inventory"), &key).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn drift_lists_what_changed_between_two_scans_of_a_changed_inventory(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (id, key) = app.tenant("Alpha").await;
    let (before, after, old, new) = staging_before_and_after();
    let first = app.snapshot_scan(&id, &key, &before).await;
    let first_id = first["id"].as_str().unwrap();
    // The scope's first scan is its baseline: nothing is new in it.
    let baseline = app.get(&format!("/v1/tenants/{id}/scans/{first_id}/drift"), &key).await;
    assert_eq!(baseline.status, StatusCode::OK, "{}", baseline.json());
    let baseline = baseline.json()["drift"].clone();
    assert_eq!((baseline["previous_scan"].clone(), baseline["new_failures"].as_array().unwrap().len()), (Value::Null, 0));
    assert_eq!(first["drift"]["previous_scan"], Value::Null);
    let failing_old = app.failing_checks(&id, &key, first_id, old).await;
    assert!(!failing_old.is_empty(), "the demo bucket fails some checks");

    // A demo scan is another scope: it neither is compared with nor disturbs the snapshot's.
    let demo = app.demo_scan(&id, &key).await;
    let second = app.snapshot_scan(&id, &key, &after).await;
    let second_id = second["id"].as_str().unwrap();
    let d = app.get(&format!("/v1/tenants/{id}/scans/{second_id}/drift"), &key).await.json()["drift"].clone();
    assert_eq!(d["previous_scan"].as_str(), Some(first_id));
    let checks_of = |list: &Value, resource: &str| -> BTreeSet<String> {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|f| f["resource_id"] == resource)
            .map(|f| f["check_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(checks_of(&d["new_failures"], new), failing_old, "{d}");
    assert_eq!(checks_of(&d["resolved_failures"], old), failing_old);
    assert_eq!(d["new_failures"].as_array().unwrap().len(), failing_old.len(), "only the renamed bucket's failures are new: {d}");
    assert_eq!(d["resolved_failures"].as_array().unwrap().len(), failing_old.len());
    let ids = |list: &Value| list.as_array().unwrap().iter().map(|r| r["resource_id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&d["new_resources"]), [new]);
    assert_eq!(ids(&d["removed_resources"]), [old]);
    // Scores per framework, against the baseline's.
    let base_scores: std::collections::BTreeMap<String, Value> = baseline["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["framework"].as_str().unwrap().to_string(), f["current"].clone()))
        .collect();
    assert!(!base_scores.is_empty());
    for f in d["frameworks"].as_array().unwrap() {
        assert_eq!(f["previous"], base_scores[f["framework"].as_str().unwrap()], "{f}");
        if let (Some(p), Some(c)) = (f["previous"].as_f64(), f["current"].as_f64()) {
            assert!((f["change"].as_f64().unwrap() - (c - p)).abs() < 0.051, "{f}");
        }
    }
    // The stored scan document carries the same drift.
    let document = app._db.store.scan_report(&id, second_id).await.unwrap().unwrap();
    assert_eq!(document.drift.as_ref(), Some(&d));
    // The scan's own row carries the counts.
    assert_eq!(second["drift"]["new_failures"].as_u64(), Some(failing_old.len() as u64));
    assert_eq!(second["drift"]["new_resources"].as_u64(), Some(1));
    // Any two scans of the scope compare, in either order: named against the previous
    // scan, the stored drift; a third scan of the old inventory against the first, nothing;
    // the second against the third, the rename backwards.
    let against = |scan: &str, other: &str| format!("/v1/tenants/{id}/scans/{scan}/drift?against={other}");
    let same = app.get(&against(second_id, first_id), &key).await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.json());
    assert_eq!(same.json()["drift"], d);
    let third = app.snapshot_scan(&id, &key, &before).await;
    let third_id = third["id"].as_str().unwrap();
    let none = app.get(&against(third_id, first_id), &key).await.json()["drift"].clone();
    assert_eq!(none["previous_scan"].as_str(), Some(first_id));
    for list in ["new_failures", "resolved_failures", "new_resources", "removed_resources"] {
        assert_eq!(none[list], json!([]), "{list}: {none}");
    }
    let back = app.get(&against(second_id, third_id), &key).await.json()["drift"].clone();
    assert_eq!(checks_of(&back["new_failures"], new), failing_old, "{back}");
    assert_eq!(ids(&back["removed_resources"]), [old]);
    // Not with itself, not across scopes, not with what is not there or not the tenant's.
    let demo_id = demo.as_str();
    for (other, status, code) in [
        (second_id, StatusCode::BAD_REQUEST, "bad_request"),
        (demo_id, StatusCode::CONFLICT, "different_scopes"),
        ("s_missing", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let r = app.get(&against(second_id, other), &key).await;
        assert_eq!((r.status, r.error_code().as_str()), (status, code), "{other}: {}", r.json());
    }
    // A scan with no result yet has no drift; another tenant's scan is not found.
    let queued = app.send(Method::POST, &format!("/v1/tenants/{id}/scans"), &key, json!({"source": "demo"})).await.json();
    let r = app.get(&format!("/v1/tenants/{id}/scans/{}/drift", queued["id"].as_str().unwrap()), &key).await;
    assert!(r.status == StatusCode::CONFLICT || r.status == StatusCode::OK, "{}", r.json());
    let (_, other_key) = app.tenant("Bravo").await;
    assert_eq!(app.get(&format!("/v1/tenants/{id}/scans/{second_id}/drift"), &other_key).await.status, StatusCode::NOT_FOUND);
}

/// Server-Sent Events parsed: (id, event, data).
fn sse(body: &[u8]) -> Vec<(String, String, Value)> {
    String::from_utf8_lossy(body)
        .split("\n\n")
        .filter(|block| block.lines().any(|l| l.starts_with("event:")))
        .map(|block| {
            let field = |name: &str| block.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_string()).unwrap_or_default();
            (field("id:"), field("event:"), serde_json::from_str(&field("data:")).unwrap())
        })
        .collect()
}

async fn the_progress_stream_of_a_scan_is_read_from_start_to_end(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (id, key) = app.tenant("Alpha").await;
    let r = app.send(Method::POST, &format!("/v1/tenants/{id}/scans"), &key, json!({"source": "demo"})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let scan = r.json()["id"].as_str().unwrap().to_string();
    // Read while the scan is queued or running; the stream ends by itself when it has finished.
    let r = app.get(&format!("/v1/tenants/{id}/scans/{scan}/events"), &key).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/event-stream"));
    let events = sse(&r.bytes);
    let kinds: Vec<&str> = events.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"queued"), "{kinds:?}");
    assert_eq!(kinds.get(1), Some(&"started"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"finished"), "{kinds:?}");
    assert!(kinds[2..kinds.len() - 1].iter().all(|k| *k == "account_evaluated"), "{kinds:?}");
    let ids: Vec<i64> = events.iter().map(|e| e.0.parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "event ids increase: {ids:?}");
    // Progress counts up to the whole organization; the end matches the stored scan.
    let progress: Vec<&Value> = events.iter().filter(|e| e.1 == "account_evaluated").map(|e| &e.2["data"]).collect();
    let last = progress.last().expect("at least one progress event");
    assert_eq!((last["accounts_done"].as_u64(), last["accounts_total"].as_u64()), (Some(3), Some(3)));
    let row = app.get(&format!("/v1/tenants/{id}/scans/{scan}"), &key).await.json();
    assert_eq!(last["findings_so_far"], row["findings"]);
    assert_eq!(last["plugins_evaluated"].as_u64(), Some(3 * securebase_builtin_plugins::PLUGINS.len() as u64));
    let finished = &events.last().unwrap().2["data"];
    assert_eq!((finished["findings"].clone(), finished["failing"].clone()), (row["findings"].clone(), row["failing"].clone()));
    assert_eq!(events[1].2["data"]["attempt"], 1);
    // Resuming after an event sends only what came after it.
    let mut req =
        Request::builder().uri(format!("/v1/tenants/{id}/scans/{scan}/events")).header(header::AUTHORIZATION, format!("Bearer {key}"));
    req = req.header("last-event-id", &events[1].0);
    let res = app.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let rest = sse(&res.into_body().collect().await.unwrap().to_bytes());
    assert_eq!(rest.iter().map(|e| e.0.clone()).collect::<Vec<_>>(), events[2..].iter().map(|e| e.0.clone()).collect::<Vec<_>>());
}

async fn schedules_are_validated_listed_and_removed(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (id, key) = app.tenant("Alpha").await;
    let path = format!("/v1/tenants/{id}/schedules");
    for (body, field) in [
        (json!({"cron": "0 25 * * *"}), "hour field"),
        (json!({"cron": "0 2 * *"}), "five fields"),
        (json!({"cron": "0 2 * * *", "timezone": "Mars/Olympus"}), "field timezone"),
        (json!({"cron": "0 2 * * *", "source": "snapshot"}), "field source"),
        (json!({"cron": "0 0 31 2 *"}), "no time"),
    ] {
        let r = app.send(Method::POST, &path, &key, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(r.error_message().contains(field), "{body}: {}", r.error_message());
    }
    let r = app.send(Method::POST, &path, &key, json!({"cron": "0 2 * * *", "timezone": "Europe/Berlin", "source": "demo"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let s = r.json();
    // 02:00 in Berlin is 01:00 or 00:00 UTC, whatever the date.
    let next = s["next_run_at"].as_str().unwrap();
    assert!(next.contains("T01:00:00") || next.contains("T00:00:00"), "{next}");
    let listed = app.get(&path, &key).await.json();
    assert_eq!((listed["total"].as_u64(), listed["items"][0]["id"].clone()), (Some(1), s["id"].clone()));
    let (_, other_key) = app.tenant("Bravo").await;
    assert_eq!(app.get(&path, &other_key).await.status, StatusCode::NOT_FOUND);
    let one = format!("{path}/{}", s["id"].as_str().unwrap());
    assert_eq!(app.call(Method::DELETE, &one, Some(&key), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.call(Method::DELETE, &one, Some(&key), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&path, &key).await.json()["total"], 0);
}

/// A webhook receiver on loopback that answers 500 to its first `failures` requests.
async fn receiver(failures: usize) -> (String, Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>>) {
    let seen: Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>> = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let log = log.clone();
            async move {
                let mut log = log.lock().unwrap();
                log.push((headers, body));
                if log.len() <= failures { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::NO_CONTENT }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn webhooks_are_signed_and_retried_until_delivered(backend: Backend) {
    // Without a service key, webhooks cannot be set (their secrets derive from it).
    let plain = App::new(backend, ApiConfig::default()).await;
    let (pid, pkey) = plain.tenant("Plain").await;
    let r = plain.send(Method::PUT, &format!("/v1/tenants/{pid}/webhook"), &pkey, json!({"url": "http://127.0.0.1:9/hook"})).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::SERVICE_UNAVAILABLE, "webhooks_unavailable"));

    let key = securebase_jobs::SecretKey::new("test-service-key-0123456789abcdef").unwrap();
    // By default a webhook goes to public addresses over https: every spelling of
    // loopback, metadata or a private network is refused, and so is a name for one.
    let guarded = App::new(backend, ApiConfig { secret_key: Some(key.clone()), ..ApiConfig::default() }).await;
    let (gid, gkey) = guarded.tenant("Guarded").await;
    let refused = [
        "https://127.1/hook",
        "https://2130706433/hook",
        "https://0x7f.0.0.1/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.8/hook",
        "https://100.64.1.1/hook",
        "https://[fd12::1]/hook",
        "https://localhost:8080/hook",
        "http://hooks.example.com/hook",
    ];
    for url in refused {
        let r = guarded.send(Method::PUT, &format!("/v1/tenants/{gid}/webhook"), &gkey, json!({"url": url})).await;
        assert_eq!((r.status, r.error_code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "webhook_url_not_allowed"), "{url}");
        assert!(
            r.error_message().contains("public addresses only") || r.error_message().contains("https only"),
            "{url}: {}",
            r.error_message()
        );
    }
    assert_eq!(guarded.get(&format!("/v1/tenants/{gid}/webhook"), &gkey).await.status, StatusCode::NOT_FOUND, "nothing was set");
    let r = guarded.send(Method::PUT, &format!("/v1/tenants/{gid}/webhook"), &gkey, json!({"url": "https://8.8.8.8/hook"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "a public address is fine: {}", r.json());
    let delivery =
        // The receiver is on loopback: allowed for this test only.
        securebase_jobs::DeliveryPolicy {
            first_retry: std::time::Duration::from_millis(200),
            max_attempts: 5,
            allow_private: true,
            ..Default::default()
        };
    let app = App::new(backend, ApiConfig { secret_key: Some(key), delivery, ..ApiConfig::default() }).await;
    let (id, token) = app.tenant("Alpha").await;
    let (url, seen) = receiver(2).await;
    for (body, code) in
        [(json!({"url": "ftp://x/hook"}), "invalid_webhook"), (json!({"url": url, "min_severity": "urgent"}), "invalid_webhook")]
    {
        let r = app.send(Method::PUT, &format!("/v1/tenants/{id}/webhook"), &token, body).await;
        assert_eq!((r.status, r.error_code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, code));
    }
    let r = app.send(Method::PUT, &format!("/v1/tenants/{id}/webhook"), &token, json!({"url": url, "min_severity": "low"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let secret = r.json()["secret"].as_str().unwrap().to_string();
    // The secret is shown once: not by GET, not in the audit log.
    let shown = app.get(&format!("/v1/tenants/{id}/webhook"), &token).await;
    assert!(!String::from_utf8_lossy(&shown.bytes).contains(&secret) && shown.json()["url"] == url.as_str());
    let audit = app.get(&format!("/v1/tenants/{id}/audit?limit=500"), &app.admin).await;
    assert!(!String::from_utf8_lossy(&audit.bytes).contains(&secret));
    // Nor in the database: the webhook row holds no secret, in clear or as its hex part.
    let mut owner = sqlx::AnyConnection::connect(&app._db.url).await.unwrap();
    let row: (String, String, String) = sqlx::query_as("SELECT id, url, min_severity FROM webhooks").fetch_one(&mut owner).await.unwrap();
    let columns: Vec<String> = sqlx::query_scalar(if backend == Backend::Postgres {
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'webhooks' ORDER BY column_name"
    } else {
        "SELECT name FROM pragma_table_info('webhooks') ORDER BY name"
    })
    .fetch_all(&mut owner)
    .await
    .unwrap();
    owner.close().await.unwrap();
    assert_eq!(columns, ["created_at", "created_by", "id", "min_severity", "tenant_id", "url"]);
    assert!(![&row.0, &row.1, &row.2].iter().any(|v| v.contains(&secret[6..])));

    let (before, after, _, new) = staging_before_and_after();
    let first = app.snapshot_scan(&id, &token, &before).await;
    let second = app.snapshot_scan(&id, &token, &after).await;
    // Wait for the deliverer: three deliveries (two scan.finished, one finding.new_failures).
    let mut delivered = vec![];
    for _ in 0..300 {
        delivered = vec![];
        for scan in [&first, &second] {
            let d = app.get(&format!("/v1/tenants/{id}/scans/{}/deliveries", scan["id"].as_str().unwrap()), &token).await.json();
            delivered.extend(d["items"].as_array().unwrap().iter().cloned());
        }
        if delivered.len() == 3 && delivered.iter().all(|d| d["status"] == "delivered") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(delivered.len() == 3 && delivered.iter().all(|d| d["status"] == "delivered"), "{delivered:#?}");
    // The receiver failed the first two requests: that delivery took three attempts.
    assert_eq!(delivered.iter().map(|d| d["attempts"].as_i64().unwrap()).sum::<i64>(), 5, "{delivered:#?}");
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 5);
    // Retries keep the delivery id (what receivers de-duplicate on).
    let sent = |id: &str| requests.iter().filter(|(h, _)| h["x-securebase-delivery"] == id).count() as i64;
    for d in &delivered {
        assert_eq!(sent(d["id"].as_str().unwrap()), d["attempts"].as_i64().unwrap(), "{d}");
    }
    for (headers, body) in &requests {
        let sig = headers["x-securebase-signature"].to_str().unwrap();
        let t: u64 = sig.strip_prefix("t=").unwrap().split(',').next().unwrap().parse().unwrap();
        assert_eq!(sig, securebase_jobs::webhooks::signature(&secret, t, body.as_bytes()), "signed with the secret shown once");
        assert_ne!(sig, securebase_jobs::webhooks::signature("whsec_wrong", t, body.as_bytes()));
    }
    // One per delivery, retries folded.
    let events: Vec<(String, Value)> = requests
        .iter()
        .map(|(h, b)| {
            (h["x-securebase-delivery"].to_str().unwrap().to_string(), (h["x-securebase-event"].to_str().unwrap().to_string(), b))
        })
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_values()
        .map(|(e, b)| (e, serde_json::from_str(b).unwrap()))
        .collect();
    let new_failures = events.iter().find(|(e, _)| e == "finding.new_failures").expect("a new failures notification");
    assert_eq!(new_failures.1["scan_id"], second["id"]);
    assert!(new_failures.1["new_failures"].as_array().unwrap().iter().all(|f| f["resource_id"] == new), "{}", new_failures.1);
    let finished: Vec<&Value> = events.iter().filter(|(e, _)| e == "scan.finished").map(|(_, v)| v).collect();
    assert_eq!(finished.len(), 2);
    assert!(finished.iter().any(|v| v["scan_id"] == second["id"] && v["drift"]["new_resources"] == 1));
}

async fn a_due_schedule_is_queued_and_run_by_the_service(backend: Backend) {
    let config = ApiConfig { schedule_every: Some(std::time::Duration::from_millis(200)), ..ApiConfig::default() };
    let app = App::new(backend, config).await;
    let (id, key) = app.tenant("Alpha").await;
    // Set through the API (next 02:00 UTC), then made due now, as if 02:00 had come.
    let r = app.send(Method::POST, &format!("/v1/tenants/{id}/schedules"), &key, json!({"cron": "0 2 * * *", "source": "demo"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let schedule = r.json()["id"].as_str().unwrap().to_string();
    let mut owner = sqlx::AnyConnection::connect(&app._db.url).await.unwrap();
    sqlx::query("UPDATE schedules SET next_run_at = '2000-01-01T00:00:00Z'").execute(&mut owner).await.unwrap();
    owner.close().await.unwrap();
    let mut scans = Value::Null;
    for _ in 0..300 {
        scans = app.get(&format!("/v1/tenants/{id}/scans"), &key).await.json();
        if scans["total"] == 1 && scans["items"][0]["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let scan = &scans["items"][0];
    assert_eq!((scans["total"].as_u64(), scan["status"].as_str()), (Some(1), Some("succeeded")), "{scans}");
    assert_eq!((scan["schedule_id"].as_str(), scan["source"].as_str()), (Some(schedule.as_str()), Some("demo")));
    // Moved to its next run, once: no second scan however often the scheduler looks.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(app.get(&format!("/v1/tenants/{id}/scans"), &key).await.json()["total"], 1);
    let listed = app.get(&format!("/v1/tenants/{id}/schedules"), &key).await.json();
    let s = &listed["items"][0];
    assert_eq!(s["last_scan_id"], scan["id"]);
    assert!(s["next_run_at"].as_str().unwrap().contains("T02:00:00"), "{s}");
}

impl App {
    /// Sends a raw upload (a component, a framework file) as `media`, with extra headers.
    async fn upload(&self, method: Method, path: &str, token: &str, media: &str, bytes: Vec<u8>, headers: &[(&str, String)]) -> Reply {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, media);
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        self.exchange(req.body(Body::from(bytes)).unwrap()).await
    }

    async fn upload_plugin(&self, tenant: &str, token: &str, path: &str) -> Reply {
        let wasm = std::fs::read(path).expect("the test guest was built");
        self.upload(Method::POST, &format!("/v1/tenants/{tenant}/plugins"), token, "application/wasm", wasm, &[]).await
    }

    /// The whole document of a finished scan.
    async fn document(&self, tenant: &str, token: &str, scan: &str) -> Value {
        let r = self.get(&format!("/v1/tenants/{tenant}/scans/{scan}/document"), token).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
        r.json()
    }
}

fn sha256_of(path: &str) -> String {
    securebase_runtime::cache::sha256_hex(&std::fs::read(path).unwrap())
}

/// A tenant framework over the tenant's own check, a built-in one, and a manual requirement.
const ACME_BASELINE: &str = r#"id = "acme-baseline"
name = "Acme storage baseline"
version = "2026.1"

[[requirements]]
id = "ACME-1"
title = "Buckets name their owner"
checks = ["acme_s3_bucket_owner_tag"]

[[requirements]]
id = "ACME-2"
title = "Buckets are encrypted"
checks = ["s3_bucket_default_encryption"]

[[requirements]]
id = "ACME-3"
title = "Data owners review access yearly"
checks = []
"#;

/// The plugins of a scan document: (name, version, sha256, origin).
fn ran(doc: &Value) -> Vec<(String, String, String, String)> {
    let list = doc["plugins"].as_array().expect("plugins listed");
    list.iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap().to_string();
            (s("name"), s("version"), s("sha256"), s("origin"))
        })
        .collect()
}

/// Tenant A brings a plugin and a framework; tenant B, scanned by the same worker at the
/// same time, never sees or runs them; versions are provenance in every scan document.
async fn tenants_bring_their_own_plugins_and_frameworks(backend: Backend) {
    use securebase_e2e::{TENANT_POLICY, TENANT_POLICY_V2};
    let app = App::new(backend, ApiConfig { workers: 1, schedule_every: None, ..ApiConfig::default() }).await;
    let (a, a_key) = app.tenant("Alpha").await;
    let (b, b_key) = app.tenant("Beta").await;

    let r = app.upload_plugin(&a, &a_key, TENANT_POLICY).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    let v1 = r.json();
    assert_eq!((v1["name"].as_str(), v1["version"].as_str()), (Some("acme-policy"), Some("1.0.0")));
    assert_eq!(v1["sha256"], sha256_of(TENANT_POLICY));
    assert_eq!(v1["contract"], "securebase:control@1.1.0");
    assert_eq!(v1["size"], std::fs::metadata(TENANT_POLICY).unwrap().len());
    assert_eq!(v1["checks"].as_array().map(Vec::len), Some(1));
    assert_eq!(v1["checks"][0]["id"], "acme_s3_bucket_owner_tag");
    assert_eq!(v1["checks"][0]["severity"], "medium");
    assert_eq!(v1["checks"][0]["resource_types"], json!(["AWS::S3::Bucket"]));
    assert_eq!((v1["enabled"].as_bool(), v1["running"].as_bool()), (Some(true), Some(true)));
    assert!(v1["uploaded_by"].as_str().unwrap().starts_with("tenant:k_"), "{v1}");
    assert_eq!(app.upload_plugin(&a, &a_key, TENANT_POLICY).await.status, StatusCode::OK, "the same bytes again change nothing");

    let fw = format!("/v1/tenants/{a}/frameworks");
    let r = app.upload(Method::POST, &fw, &a_key, "application/toml", ACME_BASELINE.into(), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!((r.json()["version"].as_i64(), r.json()["requirements"].as_i64(), r.json()["manual"].as_i64()), (Some(1), Some(3), Some(1)));
    let again = app.upload(Method::POST, &fw, &a_key, "application/toml", ACME_BASELINE.into(), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // B sees none of it, by its own paths or by A's.
    for path in
        [format!("/v1/tenants/{a}/plugins"), format!("/v1/tenants/{a}/plugins/acme-policy"), format!("{fw}/acme-baseline"), fw.clone()]
    {
        assert_eq!(app.get(&path, &b_key).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.get(&format!("/v1/tenants/{b}/plugins"), &b_key).await.json()["items"], json!([]));
    assert_eq!(app.get(&format!("/v1/tenants/{b}/frameworks"), &b_key).await.json()["items"], json!([]));
    assert_eq!(app.get(&format!("/v1/tenants/{b}/plugins/acme-policy"), &b_key).await.status, StatusCode::NOT_FOUND);

    // Both scan at once; one worker runs both.
    let (scan_a, scan_b) = tokio::join!(app.demo_scan(&a, &a_key), app.demo_scan(&b, &b_key));
    let doc_a = app.document(&a, &a_key, &scan_a).await;
    let doc_b = app.document(&b, &b_key, &scan_b).await;
    assert_eq!(ran(&doc_a).len(), securebase_builtin_plugins::PLUGINS.len() + 1);
    assert!(ran(&doc_a).contains(&("acme-policy".into(), "1.0.0".into(), sha256_of(TENANT_POLICY), "tenant".into())), "{:?}", ran(&doc_a));
    assert_eq!(ran(&doc_b).len(), securebase_builtin_plugins::PLUGINS.len());
    assert!(ran(&doc_b).iter().all(|p| p.3 == "builtin"), "{:?}", ran(&doc_b));
    // Per (plugin, account) cost of A's plugin is in its document.
    let costs: Vec<&Value> = doc_a["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|acc| acc["evaluations"].as_array().unwrap())
        .filter(|e| e["plugin"] == "acme-policy")
        .collect();
    assert_eq!(costs.len(), doc_a["accounts"].as_array().unwrap().len(), "one evaluation per account");
    assert!(costs.iter().all(|e| e["status"] == "ok" && e["fuel_used"].as_u64().unwrap() > 0 && e["duration_ms"].is_number()), "{costs:?}");

    let mine = |tenant: &str, scan: &str| format!("/v1/tenants/{tenant}/findings?scan={scan}&check=acme_s3_bucket_owner_tag&limit=500");
    let found = app.get(&mine(&a, &scan_a), &a_key).await.json();
    let buckets = doc_a["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|acc| acc["findings"].as_array().unwrap())
        .filter(|f| f["resource_type"] == "AWS::S3::Bucket" && f["check_id"] == "s3_bucket_default_encryption")
        .count();
    assert!(buckets > 0, "the demo has buckets");
    assert_eq!(found["total"].as_u64(), Some(buckets as u64), "one finding of A's check per bucket: {found}");
    let theirs = app.get(&mine(&b, &scan_b), &b_key).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "A's check is unknown to B");
    let b_checks: BTreeSet<&str> = doc_b["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|acc| acc["findings"].as_array().unwrap())
        .map(|f| f["check_id"].as_str().unwrap())
        .collect();
    assert!(!b_checks.is_empty() && !b_checks.contains("acme_s3_bucket_owner_tag"), "B's scan never ran A's plugin");

    // A's framework is scored and reported like a built-in one; B does not have it.
    let report = app.get(&format!("/v1/tenants/{a}/compliance-report?scan={scan_a}&framework=acme-baseline"), &a_key).await;
    assert_eq!(report.status, StatusCode::OK, "{}", String::from_utf8_lossy(&report.bytes));
    let summary = &report.json()["summary"];
    assert_eq!((summary["total_controls"].as_u64(), summary["manual"].as_u64()), (Some(3), Some(1)), "{summary}");
    assert_eq!(summary["passing"].as_u64().unwrap() + summary["failing"].as_u64().unwrap() + summary["errored"].as_u64().unwrap(), 2);
    let denied = app.get(&format!("/v1/tenants/{b}/compliance-report?scan={scan_b}&framework=acme-baseline"), &b_key).await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND, "B cannot read A's framework");
    let pdf = app.get(&format!("/v1/tenants/{a}/scans/{scan_a}/report.pdf?framework=acme-baseline"), &a_key).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let text = pdf_text(&pdf.bytes);
    assert!(text.contains("Acme storage baseline"), "the PDF reports A's framework");
    assert!(text.contains("acme-policy") && text.contains(&sha256_of(TENANT_POLICY)), "the appendix names A's plugin and its hash");
    // The tenant's framework may be the tenant's own.
    let r = app.send(Method::PATCH, &format!("/v1/tenants/{a}"), &app.admin, json!({"framework": "acme-baseline"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let r = app.send(Method::PATCH, &format!("/v1/tenants/{b}"), &app.admin, json!({"framework": "acme-baseline"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "B cannot name A's framework");
    let in_use = app.call(Method::DELETE, &format!("{fw}/acme-baseline"), Some(&a_key), None).await;
    assert_eq!(in_use.status, StatusCode::CONFLICT);

    // Version 2 replaces version 1 from the next scan; the first scan keeps naming version 1.
    let r = app.upload_plugin(&a, &a_key, TENANT_POLICY_V2).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    let listed = app.get(&format!("/v1/tenants/{a}/plugins/acme-policy"), &a_key).await.json();
    let versions: Vec<(&str, bool)> =
        listed["items"].as_array().unwrap().iter().map(|v| (v["version"].as_str().unwrap(), v["running"].as_bool().unwrap())).collect();
    assert_eq!(versions, [("2.0.0", true), ("1.0.0", false)]);
    let second = app.demo_scan(&a, &a_key).await;
    let doc_2 = app.document(&a, &a_key, &second).await;
    assert!(ran(&doc_2).iter().any(|p| p.0 == "acme-policy" && p.1 == "2.0.0" && p.2 == sha256_of(TENANT_POLICY_V2)), "{:?}", ran(&doc_2));
    assert!(ran(&app.document(&a, &a_key, &scan_a).await).iter().any(|p| p.0 == "acme-policy" && p.2 == sha256_of(TENANT_POLICY)));
    let failing = |doc: &Value| {
        doc["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|acc| acc["findings"].as_array().unwrap())
            .filter(|f| f["check_id"] == "acme_s3_bucket_owner_tag" && f["status"] == "fail")
            .count()
    };
    assert!(failing(&doc_2) >= failing(&doc_a), "version 2 is stricter");

    // Disabled, it runs no more; the framework's requirement on its check is undecided, not passing.
    let r = app.send(Method::PATCH, &format!("/v1/tenants/{a}/plugins/acme-policy"), &a_key, json!({"enabled": false})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    assert!(r.json()["items"].as_array().unwrap().iter().all(|v| v["enabled"] == false && v["running"] == false));
    let third = app.demo_scan(&a, &a_key).await;
    let doc_3 = app.document(&a, &a_key, &third).await;
    assert!(!ran(&doc_3).iter().any(|p| p.0 == "acme-policy"), "{:?}", ran(&doc_3));
    let acme =
        doc_3["organization"]["frameworks"].as_array().unwrap().iter().find(|f| f["framework"] == "acme-baseline").expect("still scored");
    assert_eq!(acme["requirements"][0]["status"], "error", "{acme}");

    let audit = app.get(&format!("/v1/tenants/{a}/audit?limit=500"), &a_key).await.json();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    for action in ["plugin.upload", "framework.create", "plugin.update"] {
        assert!(actions.contains(&action), "{action} audited: {actions:?}");
    }
    let r = app.call(Method::DELETE, &format!("/v1/tenants/{a}/plugins/acme-policy?version=1.0.0"), Some(&a_key), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let left = app.get(&format!("/v1/tenants/{a}/plugins"), &a_key).await.json();
    assert_eq!(left["items"].as_array().map(Vec::len), Some(1), "{left}");
    assert!(
        app.get(&format!("/v1/tenants/{a}/audit?limit=500"), &a_key).await.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "plugin.delete")
    );
}

/// The text of a PDF, by poppler's pdftotext.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A component that exports the contract but imports `wasi:sockets/tcp`.
fn sockets_component() -> Vec<u8> {
    wat::parse_str(
        r#"(component
            (import "wasi:sockets/tcp@0.2.6" (instance))
            (core module $m)
            (core instance $i (instantiate $m))
            (instance $e)
            (export "securebase:control/control@1.0.0" (instance $e))
        )"#,
    )
    .expect("valid component text")
}

/// Every way an upload can break the rules is refused with a 422 that names why, and
/// nothing is stored.
async fn uploads_that_break_the_rules_are_refused(backend: Backend) {
    use base64::Engine as _;
    use ed25519_dalek::Signer;
    let app = App::new(backend, ApiConfig { workers: 0, schedule_every: None, ..ApiConfig::default() }).await;
    let (a, key) = app.tenant("Alpha").await;
    let plugins = format!("/v1/tenants/{a}/plugins");
    let wasm = |m: &str| (m.to_string(), "application/wasm");
    let refused = [
        (b"not a component".to_vec(), "invalid_plugin", "is not a valid WebAssembly component"),
        (Vec::new(), "empty_upload", "the upload is empty: send the application/wasm file"),
        (std::fs::read(securebase_e2e::FUTURE_MAJOR).unwrap(), "invalid_plugin", "securebase:control@2.0.0"),
        (sockets_component(), "invalid_plugin", "wasi:sockets/tcp@0.2.6"),
        (
            securebase_builtin_plugins::PLUGINS.iter().find(|(n, _)| n.starts_with("s3")).unwrap().1.to_vec(),
            "check_id_taken",
            "is a built-in check",
        ),
    ];
    for (bytes, code, says) in refused {
        let r = app.upload(Method::POST, &plugins, &key, "application/wasm", bytes, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&r.bytes));
        assert_eq!(r.error_code(), code);
        assert!(r.error_message().contains(says), "{says:?} in {:?}", r.error_message());
    }
    let future =
        app.upload(Method::POST, &plugins, &key, "application/wasm", std::fs::read(securebase_e2e::FUTURE_MAJOR).unwrap(), &[]).await;
    assert!(future.error_message().contains("speaks securebase:control@1.1.0"), "{}", future.error_message());
    let builtin = app
        .upload(
            Method::POST,
            &plugins,
            &key,
            "application/wasm",
            securebase_builtin_plugins::PLUGINS.iter().find(|(n, _)| n.starts_with("s3")).unwrap().1.to_vec(),
            &[],
        )
        .await;
    assert!(builtin.error_message().starts_with("check id s3_"), "{}", builtin.error_message());
    let (policy, media) = wasm(securebase_e2e::TENANT_POLICY);
    let component = std::fs::read(&policy).unwrap();
    let r = app.upload(Method::POST, &plugins, &key, "application/octet-stream", component.clone(), &[]).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(app.get(&plugins, &key).await.json()["items"], json!([]), "nothing refused was stored");

    // Too large for the service's cap.
    let small =
        App::new(backend, ApiConfig { workers: 0, schedule_every: None, plugin_size_limit: component.len() - 1, ..ApiConfig::default() })
            .await;
    let (s, s_key) = small.tenant("Small").await;
    let r = small.upload(Method::POST, &format!("/v1/tenants/{s}/plugins"), &s_key, media, component.clone(), &[]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);

    // Frameworks: every unknown check and duplicate requirement, with its line; built-in ids.
    let fw = format!("/v1/tenants/{a}/frameworks");
    let bad = format!("{ACME_BASELINE}\n[[requirements]]\nid = \"ACME-1\"\ntitle = \"Again\"\nchecks = [\"no_such_check\"]\n");
    let r = app.upload(Method::POST, &fw, &key, "application/toml", bad.into_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let m = r.error_message();
    assert!(m.starts_with("3 problem(s)"), "{m}");
    assert!(m.contains("framework:8: requirement ACME-1 names check `acme_s3_bucket_owner_tag`"), "not uploaded yet: {m}");
    assert!(m.contains("framework:21: duplicate requirement id ACME-1 (first at line 6)"), "{m}");
    assert!(m.contains("framework:23: requirement ACME-1 names check `no_such_check`"), "{m}");
    let hipaa = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../frameworks/hipaa.toml")).unwrap();
    let r = app.upload(Method::POST, &fw, &key, "application/toml", hipaa.into_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.error_message().contains("is a built-in framework's"), "{}", r.error_message());
    assert_eq!(app.get(&fw, &key).await.json()["items"], json!([]));

    // Signed uploads: once the tenant has a key, unsigned and wrongly signed are refused.
    let signer = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let keys = format!("/v1/tenants/{a}/signing-keys");
    let r = app.send(Method::POST, &keys, &key, json!({"name": "release", "public_key": b64(signer.verifying_key().as_bytes())})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let key_id = r.json()["id"].as_str().unwrap().to_string();
    let r = app.send(Method::POST, &keys, &key, json!({"public_key": "c2hvcnQ="})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unsigned = app.upload(Method::POST, &plugins, &key, media, component.clone(), &[]).await;
    assert_eq!((unsigned.status, unsigned.error_code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "signature_required"));
    let other = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    for wrong in [b64(&other.sign(&component).to_bytes()), b64(&signer.sign(b"other bytes").to_bytes()), "!!".into()] {
        let r = app.upload(Method::POST, &plugins, &key, media, component.clone(), &[("x-securebase-signature", wrong)]).await;
        assert_eq!((r.status, r.error_code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "signature_invalid"), "{}", r.error_message());
    }
    assert_eq!(app.get(&plugins, &key).await.json()["items"], json!([]));
    let good = b64(&signer.sign(&component).to_bytes());
    let r = app.upload(Method::POST, &plugins, &key, media, component.clone(), &[("x-securebase-signature", good)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.json()["signed_by"], key_id.as_str());
    // Check ids are unique among the tenant's enabled plugins, per tenant.
    let (b, b_key) = app.tenant("Beta").await;
    assert_eq!(
        app.upload_plugin(&b, &b_key, securebase_e2e::TENANT_POLICY).await.status,
        StatusCode::CREATED,
        "another tenant may use the same ids"
    );
}

/// A's hostile plugin (a loop, a memory bomb, a flood of findings) is stopped inside A's
/// scan, which completes; B's scan on the same worker is what it is without A.
async fn a_hostile_tenant_plugin_is_contained(backend: Backend) {
    let pricing = securebase_billing::Pricing::parse(
        &securebase_billing::PRICING_TOML.replace("plugin_fuel_per_scan = 50000000000", "plugin_fuel_per_scan = 400000000"),
        "test pricing",
    )
    .unwrap();
    let config = ApiConfig { workers: 1, schedule_every: None, pricing: Arc::new(pricing), ..ApiConfig::default() };
    let app = App::new(backend, config).await;
    let (a, a_key) = app.tenant("Alpha").await;
    let (b, b_key) = app.tenant("Beta").await;
    let clean = app.demo_scan(&b, &b_key).await;
    let r = app.upload_plugin(&a, &a_key, securebase_e2e::HOSTILE).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));

    let demo = securebase_inventory::demo();
    let account = |i: usize, mode: Value| {
        let acc = securebase_e2e::with_items(&demo.accounts[i], vec![securebase_e2e::mode_item(demo.accounts[i].account_id(), mode)]);
        serde_json::from_str::<Value>(&securebase_inventory::to_json(&acc)).unwrap()
    };
    let modes = [json!({"mode": "memory"}), json!({"mode": "flood", "count": "200000"}), json!({"mode": "loop"})];
    let hostile =
        json!({"source": "snapshot", "accounts": modes.iter().enumerate().map(|(i, m)| account(i, m.clone())).collect::<Vec<_>>()});
    let scans_a = format!("/v1/tenants/{a}/scans?wait=true");
    let (ra, scan_b) = tokio::join!(app.send(Method::POST, &scans_a, &a_key, hostile), app.demo_scan(&b, &b_key));
    assert_eq!(ra.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&ra.bytes));
    assert_eq!(ra.json()["status"], "succeeded", "A's scan completes: {}", ra.json());
    let doc_a = app.document(&a, &a_key, ra.json()["id"].as_str().unwrap()).await;
    let errors: Vec<(&str, &str, &str)> = doc_a["plugin_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["plugin"].as_str().unwrap(), e["account_id"].as_str().unwrap(), e["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(errors.len(), 3, "one error per account, all A's plugin's: {errors:?}");
    assert!(errors.iter().all(|(p, ..)| *p == "hostile"), "{errors:?}");
    // Which evaluation meets the end of the budget first depends on the threads' race;
    // each stops at its own limit or at the budget, and the loop at the budget.
    let kind_of = |i: usize| errors.iter().find(|e| e.1 == demo.accounts[i].account_id()).map(|e| e.2).unwrap();
    assert!(["memory_limit", "fuel_budget_exhausted"].contains(&kind_of(0)), "{errors:?}");
    assert!(["output_limit", "fuel_budget_exhausted"].contains(&kind_of(1)), "{errors:?}");
    assert_eq!(kind_of(2), "fuel_budget_exhausted", "the loop ends at A's fuel budget for the scan");
    let budget_used: u64 = doc_a["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|acc| acc["evaluations"].as_array().unwrap())
        .filter(|e| e["plugin"] == "hostile")
        .map(|e| e["fuel_used"].as_u64().unwrap())
        .sum();
    assert!(budget_used <= 400_000_000, "A's plugin stayed within its budget: {budget_used}");
    // Built-in findings of A's accounts are all there.
    assert!(doc_a["accounts"].as_array().unwrap().iter().all(|acc| acc["findings"].as_array().unwrap().len() > 10));

    // B's scan equals its clean run, finding for finding and score for score.
    let strip = |doc: Value| {
        let mut d = doc;
        for k in ["started_at", "duration_ms", "drift"] {
            d.as_object_mut().unwrap().remove(k);
        }
        for acc in d["accounts"].as_array_mut().unwrap() {
            acc.as_object_mut().unwrap().remove("evaluations");
        }
        d
    };
    let before = strip(app.document(&b, &b_key, &clean).await);
    let after = strip(app.document(&b, &b_key, &scan_b).await);
    assert!(before["accounts"].as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(before, after, "B's scan is untouched by A's plugin");
}

/// Mints a `read` key limited to an audit window; returns its token.
async fn windowed_key(app: &App, tenant: &str, manage: &str, from: &str, to: &str) -> String {
    let body = json!({"scope": "read", "label": "auditor", "window": {"from": from, "to": to}});
    let r = app.send(Method::POST, &format!("/v1/tenants/{tenant}/keys"), manage, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    assert_eq!(r.json()["window"], json!({"from": from, "to": to}));
    r.json()["token"].as_str().unwrap().to_string()
}

/// Moves a scan's start to another day, as if it had run then.
async fn backdate_scan(app: &App, scan: &str, at: &str) {
    use sqlx::Executor;
    let mut conn = sqlx::AnyConnection::connect(&app._db.url).await.unwrap();
    let done = conn.execute(format!("UPDATE scans SET created_at = '{at}' WHERE id = '{scan}'").as_str()).await.unwrap();
    assert_eq!(done.rows_affected(), 1);
}

/// An auditor's key limited to a period: only the scans started, and the exceptions and
/// attestations in force, on its days; a scan outside it is a 404 on every route that
/// names one (and as a default); routes no period bounds (audit log, usage, keys) are
/// refused; a window is refused on any key but a read key, or with bad dates.
async fn a_key_with_an_audit_window_sees_only_that_period(backend: Backend) {
    let app = App::new(backend, ApiConfig::default()).await;
    let (id, key) = app.tenant("Acme Health").await;
    let keys = format!("/v1/tenants/{id}/keys");
    for (body, field) in [
        (json!({"scope": "scan", "window": {"from": "2025-01-01", "to": "2025-12-31"}}), "field window: only a read key"),
        (json!({"window": {"from": "2025-01-01", "to": "2025-12-31"}}), "field window: only a read key"),
        (json!({"scope": "read", "window": {"from": "2025-02-30", "to": "2025-12-31"}}), "field window.from: \"2025-02-30\" is not a date"),
        (json!({"scope": "read", "window": {"from": "2025-06-01", "to": "2025-05-31"}}), "field window.to: 2025-05-31 is before"),
    ] {
        let r = app.send(Method::POST, &keys, &key, body.clone()).await;
        assert_eq!((r.status, r.error_code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_window"), "{body}");
        assert!(r.error_message().contains(field), "{field}: {}", r.error_message());
    }

    // Last year's scan, today's scan, today's exception and attestation.
    let old = app.demo_scan(&id, &key).await;
    backdate_scan(&app, &old, "2025-03-01T10:00:00.000000Z").await;
    let new = app.demo_scan(&id, &key).await;
    let exception = json!({
        "check": "s3_bucket_no_mfa_delete", "account": "333333333333", "resource": "acme-security-*",
        "justification": "Write-once via Object Lock.", "approved_by": "ciso@acme-health.example", "expires": date_in(90),
    });
    let r = app.send(Method::POST, &format!("/v1/tenants/{id}/exceptions"), &key, exception).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let ex = r.json()["id"].as_str().unwrap().to_string();
    let plan = b"Contingency plan test record".to_vec();
    let attestation = json!({
        "framework": "hipaa", "requirement": "164.308(a)(7)(ii)(D)", "statement": "Tested.",
        "attested_by": "ciso@acme-health.example", "valid_from": date_in(0), "valid_until": date_in(200),
    });
    let (media, body) = multipart(&attestation, &[("plan.txt", &plan)]);
    let r = app.upload(Method::POST, &format!("/v1/tenants/{id}/attestations"), &key, &media, body, &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    let at = r.json()["id"].as_str().unwrap().to_string();
    let sha = securebase_runtime::cache::sha256_hex(&plan);

    let last_year = windowed_key(&app, &id, &key, "2025-01-01", "2025-12-31").await;
    let this_week = windowed_key(&app, &id, &key, &date_in(-3), &date_in(3)).await;
    let listed = app.get(&keys, &key).await.json();
    let windows: Vec<&Value> = listed["items"].as_array().unwrap().iter().map(|k| &k["window"]).filter(|w| !w.is_null()).collect();
    assert_eq!(windows.len(), 2, "{listed}");

    let scans = |token: &str| {
        let app = &app;
        let url = format!("/v1/tenants/{id}/scans");
        let token = token.to_string();
        async move {
            let v = app.get(&url, &token).await.json();
            let ids: Vec<String> = v["items"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect();
            assert_eq!(v["total"], ids.len(), "{v}");
            ids
        }
    };
    assert_eq!(scans(&key).await.len(), 2, "the unlimited key sees both");
    assert_eq!(scans(&last_year).await, vec![old.clone()]);
    assert_eq!(scans(&this_week).await, vec![new.clone()]);

    // Every route naming a scan: the one outside the window does not exist for the key.
    let scan_routes: Vec<&Route> =
        ROUTES.iter().filter(|r| r.access == Access::Tenant && r.verb.as_str() == "get" && r.path.contains("{scan}")).collect();
    assert!(scan_routes.len() >= 9, "{}", scan_routes.len());
    for r in &scan_routes {
        let path = |scan: &str| r.path.replace("{id}", &id).replace("{scan}", scan);
        let outside = app.get(&path(&new), &last_year).await;
        assert_eq!(outside.status, StatusCode::NOT_FOUND, "{}", r.path);
        assert_eq!(outside.error_code(), "not_found", "{}", r.path);
        if r.path.ends_with("/drift") {
            continue; // below: it shows the previous scan too
        }
        let inside = app.get(&path(&new), &this_week).await;
        assert_ne!(inside.status, StatusCode::NOT_FOUND, "{}: {}", r.path, String::from_utf8_lossy(&inside.bytes));
    }
    // Its drift compares with last year's scan: not shown to this week's key.
    let drift = app.get(&format!("/v1/tenants/{id}/scans/{new}/drift"), &this_week).await;
    assert_eq!(drift.error_code(), "drift_outside_audit_window");
    // Nor by naming it to compare with: last year's scan is not there for this key.
    let against = app.get(&format!("/v1/tenants/{id}/scans/{new}/drift?against={old}"), &this_week).await;
    assert_eq!((against.status, against.error_code().as_str()), (StatusCode::NOT_FOUND, "not_found"));
    // Defaults and named scans of the tenant-wide reports keep to the window too.
    let report = format!("/v1/tenants/{id}/compliance-report");
    assert_eq!(app.get(&report, &last_year).await.json()["scan_id"], old.as_str());
    assert_eq!(app.get(&report, &this_week).await.json()["scan_id"], new.as_str());
    assert_eq!(app.get(&format!("{report}?scan={new}"), &last_year).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/v1/tenants/{id}/findings?scan={new}"), &last_year).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/v1/tenants/{id}/findings?scan={old}"), &last_year).await.status, StatusCode::OK);

    // Exceptions and attestations in force this week, none last year.
    for (token, n) in [(&this_week, 1), (&last_year, 0)] {
        assert_eq!(app.get(&format!("/v1/tenants/{id}/exceptions"), token).await.json()["items"].as_array().map(Vec::len), Some(n));
        assert_eq!(app.get(&format!("/v1/tenants/{id}/attestations"), token).await.json()["items"].as_array().map(Vec::len), Some(n));
        let expected = if n == 1 { StatusCode::OK } else { StatusCode::NOT_FOUND };
        for path in [
            format!("/v1/tenants/{id}/exceptions/{ex}"),
            format!("/v1/tenants/{id}/attestations/{at}"),
            format!("/v1/tenants/{id}/attestations/{at}/evidence/{sha}"),
        ] {
            assert_eq!(app.get(&path, token).await.status, expected, "{path}");
        }
    }

    // Everything else a read key may read: refused when no period bounds it, shown
    // whole when it is configuration. Declared per route, walked here.
    let gets: Vec<&Route> =
        ROUTES.iter().filter(|r| matches!(r.access, Access::Tenant | Access::AnyKey) && r.verb.as_str() == "get").collect();
    let mut refused = 0;
    for r in &gets {
        let reply = app.get(&concrete(r.path, &id).replace("{plugin}", "s3").replace("{framework}", "hipaa"), &last_year).await;
        let is_refused = reply.status == StatusCode::FORBIDDEN && reply.error_code() == "outside_audit_window";
        // A route a read key may not call at all is refused for its scope first.
        let expected = r.window == securebase_api::routes::Window::Refused && r.scope == KeyScope::Read;
        assert_eq!(is_refused, expected, "{}: {}", r.path, reply.status);
        refused += usize::from(is_refused);
    }
    assert!(refused >= 6, "audit log, usage, invoices, schedules, webhook, tenant...: {refused}");
    for path in [format!("/v1/tenants/{id}/audit"), format!("/v1/tenants/{id}/usage"), format!("/v1/tenants/{id}")] {
        assert_eq!(app.get(&path, &last_year).await.error_code(), "outside_audit_window", "{path}");
    }
    assert_eq!(app.get("/v1/frameworks", &last_year).await.status, StatusCode::OK);
}

/// The audit package: one zip with the signed PDF, CSV, OCSF, the exception register
/// with each exception's history, the attestations and their evidence byte for byte,
/// under a manifest whose SHA-256 digests match and whose signature verifies with the
/// published key; a read key downloads it, another tenant gets 404.
async fn the_audit_package_holds_the_report_registers_and_evidence_under_a_signed_manifest(backend: Backend) {
    use base64::Engine as _;
    use securebase_reports::package;
    let seed = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
    let signer = securebase_kit::signing::SecretKey::from_env_value(&seed).unwrap();
    let app = App::new(backend, ApiConfig { report_key: Some(Arc::new(signer)), ..ApiConfig::default() }).await;
    let public = app.call(Method::GET, "/v1/signing-key", None, None).await.json()["public_key"].as_str().unwrap().to_string();
    let public = securebase_kit::signing::decode_public_key(&public).unwrap();
    let (id, key) = app.tenant("Acme Health").await;
    let (_, read) = scoped_key(&app, &id, &key, "read").await;
    let exception = json!({
        "check": "s3_bucket_no_mfa_delete", "account": "333333333333", "resource": "acme-security-*",
        "justification": "Write-once via Object Lock.", "approved_by": "ciso@acme-health.example", "expires": date_in(90),
    });
    let r = app.send(Method::POST, &format!("/v1/tenants/{id}/exceptions"), &key, exception).await;
    let ex = r.json()["id"].as_str().unwrap().to_string();
    let r =
        app.send(Method::PATCH, &format!("/v1/tenants/{id}/exceptions/{ex}"), &key, json!({"ticket": "https://jira.example/R-1"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let (plan, log) = (b"Contingency plan test record".to_vec(), vec![0xffu8, 0, 1, 2, 3]);
    let attestation = json!({
        "framework": "hipaa", "requirement": "164.308(a)(7)(ii)(D)", "statement": "The contingency plan was tested.",
        "attested_by": "ciso@acme-health.example", "valid_from": date_in(0), "valid_until": date_in(200),
    });
    let (media, body) = multipart(&attestation, &[("../plan.txt", &plan), ("drill log.bin", &log)]);
    let r = app.upload(Method::POST, &format!("/v1/tenants/{id}/attestations"), &key, &media, body, &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    let scan = app.demo_scan(&id, &key).await;

    let url = format!("/v1/tenants/{id}/scans/{scan}/audit-package.zip?framework=hipaa");
    let r = app.get(&url, &read).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/zip");
    let opened = package::read(&r.bytes).expect("a package");
    assert_eq!(opened.manifest.subject.scan_id, scan);
    assert_eq!(opened.manifest.subject.framework, "hipaa");
    let sha = |b: &[u8]| securebase_runtime::cache::sha256_hex(b);
    let mut names: Vec<&str> = opened.files.keys().map(String::as_str).collect();
    names.sort();
    let mut expected = [
        "attestations.json".to_string(),
        format!("evidence/{}/drill_log.bin", sha(&log)),
        format!("evidence/{}/plan.txt", sha(&plan)),
        "exceptions.json".into(),
        "findings.csv".into(),
        "findings.ocsf.json".into(),
        "report-hipaa.pdf".into(),
    ];
    expected.sort();
    assert_eq!(names, expected.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(opened.manifest.files.len(), expected.len());
    assert_eq!(package::mismatches(&opened), vec![]);
    assert_eq!(opened.files[&format!("evidence/{}/plan.txt", sha(&plan))], plan, "the evidence byte for byte");
    assert_eq!(opened.files[&format!("evidence/{}/drill_log.bin", sha(&log))], log);

    // The manifest is signed by the published key, and so is the PDF.
    for (what, bytes) in [("manifest", opened.sealed_manifest().expect("signed")), ("pdf", opened.files["report-hipaa.pdf"].clone())] {
        let seal = securebase_reports::seal::open(&bytes).unwrap_or_else(|| panic!("{what} sealed"));
        assert_eq!(securebase_reports::seal::content_sha256(&seal), seal.sha256, "{what}");
        let signature = securebase_kit::signing::decode_signature(seal.signature.as_bytes()).unwrap();
        assert!(securebase_kit::signing::verifies(&public, seal.content, &signature), "{what}");
    }
    let register: Value = serde_json::from_slice(&opened.files["exceptions.json"]).unwrap();
    let entries = register["exceptions"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{register}");
    assert_eq!((entries[0]["id"].as_str(), entries[0]["state"].as_str()), (Some(ex.as_str()), Some("active")));
    assert!(entries[0]["matched"].as_u64().unwrap() >= 1, "{register}");
    assert_eq!(entries[0]["history"].as_array().map(Vec::len), Some(2), "created, then the ticket added: {register}");
    let attested: Value = serde_json::from_slice(&opened.files["attestations.json"]).unwrap();
    assert_eq!(attested["attestations"][0]["statement"], "The contingency plan was tested.");
    let csv = String::from_utf8(opened.files["findings.csv"].clone()).unwrap();
    assert!(csv.lines().any(|l| l.contains(&ex)), "the CSV names the exception");

    // Another tenant: 404; an unknown framework: 400.
    let (other, other_key) = app.tenant("Bravo").await;
    assert_eq!(app.get(&url, &other_key).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&url.replace(&id, &other), &other_key).await.status, StatusCode::NOT_FOUND);
    let unknown = app.get(&url.replace("hipaa", "nope"), &read).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.error_message().contains("no framework \"nope\""), "{}", unknown.error_message());
}
