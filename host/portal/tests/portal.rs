//! The portal through its router, without a server (as the API's tests), on SQLite and
//! on PostgreSQL: sign-in and sessions, CSRF, what a read key may and may not do,
//! another tenant's pages, an exception made in a form reaching the next scan, and the
//! overview's numbers against the API's. The browser itself is driven in
//! `tests/portal.rs` of the end-to-end suite.

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use securebase_api::{ApiConfig, AppState};
use securebase_portal::PortalConfig;
use securebase_runtime::Limits;
use securebase_scan::Scanner;
use securebase_scan::testing::builtin_scanner;
use securebase_store::testing::{TestDb, fresh};
use securebase_store::{Backend, KeyKind};
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

securebase_store::both_backends!(
    signing_in_exchanges_the_key_for_a_session_that_signing_out_ends,
    the_overview_shows_the_scores_the_api_reports,
    findings_show_resources_by_name_and_link_them_by_arn,
    a_read_key_gets_no_form_that_changes_anything_and_forged_posts_are_refused,
    another_tenants_pages_are_not_found,
    an_exception_recorded_in_the_form_excepts_the_next_scans_findings,
    a_manage_key_runs_schedules_the_webhook_and_frameworks_from_the_portal,
    a_scan_page_compares_with_any_scan_of_its_scope_and_shows_progress,
);

fn scanner() -> Arc<Scanner> {
    static SCANNER: OnceLock<Arc<Scanner>> = OnceLock::new();
    SCANNER.get_or_init(|| Arc::new(builtin_scanner(Limits::default(), Some(2)))).clone()
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    /// The value of cookie `name` this answer sets, with its attributes.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// The values of `name="..."` attributes in the page, in order.
    fn attributes(&self, name: &str) -> Vec<String> {
        let needle = format!("{name}=\"");
        self.body
            .match_indices(&needle)
            .map(|(i, _)| self.body[i + needle.len()..].split('"').next().unwrap_or_default().to_string())
            .collect()
    }
}

struct App {
    router: axum::Router,
    admin: String,
    _db: TestDb,
}

impl App {
    async fn new(backend: Backend) -> Self {
        Self::with_config(backend, ApiConfig::default()).await
    }

    async fn with_config(backend: Backend, config: ApiConfig) -> Self {
        let db = fresh(backend).await;
        let admin = db.store.create_key(&KeyKind::Admin, "test").await.unwrap().token;
        let state = AppState::new(db.store.clone(), scanner(), config);
        Self { router: securebase_portal::app(state, PortalConfig::default()), admin, _db: db }
    }

    async fn exchange(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn api(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
        let mut req = Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let r = self.exchange(req.body(body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty)).unwrap()).await;
        assert!(r.status.is_success(), "{path}: {} {}", r.status, r.body);
        serde_json::from_str(&r.body).unwrap_or(Value::Null)
    }

    async fn page(&self, path: &str, cookie: &str) -> Reply {
        self.exchange(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
    }

    async fn form(&self, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Reply {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
        let req = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.join("&")))
            .unwrap();
        self.exchange(req).await
    }

    /// A multipart form: text `fields`, then `files` as (field, file name, bytes).
    async fn upload(&self, path: &str, cookie: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Reply {
        let boundary = "portal-test-boundary";
        let mut body = vec![];
        for (k, v) in fields {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").bytes());
        }
        for (k, name, bytes) in files {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\n\r\n").bytes());
            body.extend_from_slice(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").bytes());
        let req = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.exchange(req).await
    }

    /// A tenant and its first (manage) key.
    async fn tenant(&self, name: &str) -> (String, String) {
        let v = self
            .api(
                Method::POST,
                "/v1/tenants",
                &self.admin,
                Some(json!({
                    "name": name, "tier": "healthcare", "framework": "hipaa", "organization": format!("{name} Health"),
                    "contact_email": "ciso@example.org", "billing_code": "HC-001",
                    "accounts": [{"account_id": "111122223333", "regions": ["us-east-1"], "role_arn": "arn:aws:iam::111122223333:role/SecureBaseReadOnly"}],
                })),
            )
            .await;
        (v["id"].as_str().unwrap().to_string(), v["api_key"]["token"].as_str().unwrap().to_string())
    }

    async fn key(&self, tenant: &str, manage: &str, scope: &str) -> String {
        let v = self.api(Method::POST, &format!("/v1/tenants/{tenant}/keys"), manage, Some(json!({"scope": scope, "label": scope}))).await;
        v["token"].as_str().unwrap().to_string()
    }

    async fn demo_scan(&self, tenant: &str, token: &str) -> String {
        let v = self.api(Method::POST, &format!("/v1/tenants/{tenant}/scans?wait=true"), token, Some(json!({"source": "demo"}))).await;
        assert_eq!(v["status"], "succeeded");
        v["id"].as_str().unwrap().to_string()
    }

    /// Signs in with `key`; returns the session's `Cookie` header and its CSRF token.
    async fn sign_in(&self, key: &str) -> (String, String) {
        let login = self.exchange(Request::get("/ui/login").body(Body::empty()).unwrap()).await;
        assert_eq!(login.status, StatusCode::OK);
        let nonce_cookie = login.set_cookie("sb_login").expect("the form sets its nonce");
        let nonce = nonce_cookie.split(';').next().unwrap().trim_start_matches("sb_login=").to_string();
        let r = self.form("/ui/login", &format!("sb_login={nonce}"), &[("key", key), ("csrf", &nonce), ("next", "/ui/")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let session = r.set_cookie("sb_session").expect("a session cookie");
        let cookie = session.split(';').next().unwrap().to_string();
        let home = self.page("/ui/", &cookie).await;
        assert_eq!(home.status, StatusCode::SEE_OTHER);
        let first = self.page(home.location(), &cookie).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let csrf = first.attributes("value").into_iter().find(|v| v.len() == 40).expect("the sign-out form carries the CSRF token");
        (cookie, csrf)
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every page of a tenant a signed-in key reads, for tenant `t`, scan `s`.
fn tenant_pages(t: &str, s: &str) -> Vec<String> {
    [
        "".to_string(),
        "findings".into(),
        "findings?status=fail&severity=high".into(),
        "scans".into(),
        format!("scans/{s}"),
        "frameworks/hipaa".into(),
        "frameworks/hipaa/requirements/164.312(a)(2)(iv)".into(),
        "exceptions".into(),
        "attestations".into(),
        "settings".into(),
        "extensions".into(),
        "usage".into(),
        format!("invoices/{}", jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).strftime("%Y-%m")),
    ]
    .into_iter()
    .map(|p| format!("/ui/t/{t}/{p}"))
    .collect()
}

async fn signing_in_exchanges_the_key_for_a_session_that_signing_out_ends(backend: Backend) {
    let app = App::new(backend).await;
    let (t, key) = app.tenant("Acme").await;
    // Not signed in: every page sends the browser to sign in, and back afterwards.
    let r = app.page(&format!("/ui/t/{t}/findings?status=fail"), "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("/ui/login?next=%2Fui%2Ft%2F{t}%2Ffindings%3Fstatus%3Dfail"));

    let login = app.exchange(Request::get("/ui/login").body(Body::empty()).unwrap()).await;
    let nonce_cookie = login.set_cookie("sb_login").unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/ui"] {
        assert!(nonce_cookie.contains(flag), "{nonce_cookie}");
    }
    let nonce = nonce_cookie.split(';').next().unwrap().trim_start_matches("sb_login=").to_string();
    assert_eq!(nonce.len(), 40);
    // The sign-in form's own CSRF token: without the matching cookie, refused.
    let r = app.form("/ui/login", "", &[("key", &key), ("csrf", &nonce)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.set_cookie("sb_session").is_none());
    // A wrong key: the form again, with the reason; no session.
    let last = if key.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &key[..key.len() - 1]);
    let r = app.form("/ui/login", &format!("sb_login={nonce}"), &[("key", &wrong), ("csrf", &nonce)]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("unknown, expired or revoked"), "{}", r.body);
    assert!(r.set_cookie("sb_session").is_none());
    // A good key: a session cookie that scripts cannot read and other sites do not send;
    // Secure when the request came over TLS (as the proxy in front says).
    let r = app
        .exchange(
            Request::post("/ui/login")
                .header(header::COOKIE, format!("sb_login={nonce}"))
                .header("x-forwarded-proto", "https")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("key={}&csrf={nonce}&next=%2Fui%2Ft%2F{t}%2Fscans", encode(&key))))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/ui/t/{t}/scans"), "back where the browser was going");
    let set = r.set_cookie("sb_session").unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/ui", "Secure", "Max-Age=28800"] {
        assert!(set.contains(flag), "{flag} in {set}");
    }
    let cookie = set.split(';').next().unwrap().to_string();
    let token = cookie.trim_start_matches("sb_session=");
    assert!(token.starts_with("sb_s_") && !token.contains(&key[5..]), "the cookie holds a session token, not the key");
    // An open redirect is not a place to go next.
    let r = app.form("/ui/login", &format!("sb_login={nonce}"), &[("key", &key), ("csrf", &nonce), ("next", "//evil.example/")]).await;
    assert_eq!(r.location(), "/ui/");

    let (cookie, csrf) = app.sign_in(&key).await;
    let r = app.page(&format!("/ui/t/{t}/scans"), &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains(&key), "the key is not in any page");
    let csp = r.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(r.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");

    // Signing out needs the session's CSRF token, ends the session on the server and
    // clears the cookie; the old cookie no longer opens anything.
    let r = app.form("/ui/logout", &cookie, &[("csrf", "0000000000000000000000000000000000000000")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.page(&format!("/ui/t/{t}/"), &cookie).await.status, StatusCode::OK, "a refused sign-out ends nothing");
    let r = app.form("/ui/logout", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.set_cookie("sb_session").unwrap().contains("Max-Age=0"));
    let r = app.page(&format!("/ui/t/{t}/"), &cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/ui/login"));

    // A session lives no longer than its key: revoking the key ends it.
    let (cookie, _) = app.sign_in(&key).await;
    let keys = app.api(Method::GET, &format!("/v1/tenants/{t}/keys"), &app.admin, None).await;
    let items = keys["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{keys}");
    let id = items[0]["id"].as_str().unwrap();
    app.api(Method::DELETE, &format!("/v1/tenants/{t}/keys/{id}"), &app.admin, None).await;
    let r = app.page(&format!("/ui/t/{t}/"), &cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

async fn the_overview_shows_the_scores_the_api_reports(backend: Backend) {
    let app = App::new(backend).await;
    let (t, key) = app.tenant("Acme").await;
    let (cookie, _) = app.sign_in(&key).await;
    let r = app.page(&format!("/ui/t/{t}/"), &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("No scan of this tenant has finished yet."), "{}", r.body);
    assert!(r.body.contains("Start a scan"), "a manage key may start one");
    app.demo_scan(&t, &key).await;
    app.demo_scan(&t, &key).await;
    let r = app.page(&format!("/ui/t/{t}/"), &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    let frameworks = r.attributes("data-framework");
    assert_eq!(frameworks, ["cis-aws-foundations", "soc2", "hipaa", "fedramp-moderate", "iso27001-2022", "pci-dss-v4"]);
    let scores = r.attributes("data-score");
    assert_eq!(scores.len(), frameworks.len());
    for (fw, shown) in frameworks.iter().zip(&scores) {
        let report = app.api(Method::GET, &format!("/v1/tenants/{t}/compliance-report?framework={fw}&failing_limit=1"), &key, None).await;
        let score = report["summary"]["score"].as_f64().expect("the demo decides every framework");
        assert_eq!(shown, &format!("{score:.1}"), "{fw}");
    }
    // The chart has a point per framework per scan (two scans).
    assert_eq!(r.body.matches("<circle").count(), 2 * frameworks.len());
    assert!(r.body.contains("Score over the last 2 scans"));
}

/// A resource is shown by its name and id and linked by its ARN: the demo's RDS instances
/// have ids (`DbiResourceId`s) nobody recognises.
async fn findings_show_resources_by_name_and_link_them_by_arn(backend: Backend) {
    let app = App::new(backend).await;
    let (t, key) = app.tenant("Acme").await;
    let (cookie, _) = app.sign_in(&key).await;
    app.demo_scan(&t, &key).await;
    let check = "rds_instance_storage_encrypted";
    let api = app.api(Method::GET, &format!("/v1/tenants/{t}/findings?check={check}&status=fail"), &key, None).await;
    let items = api["items"].as_array().unwrap();
    assert!(!items.is_empty(), "the demo has unencrypted RDS instances");
    let r = app.page(&format!("/ui/t/{t}/findings?check={check}&status=fail"), &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.attributes("data-resource").len(), items.len(), "{}", r.body);
    for f in items {
        let (id, name, arn) =
            (f["resource_id"].as_str().unwrap(), f["resource_name"].as_str().unwrap(), f["resource_arn"].as_str().unwrap());
        assert!(r.body.contains(&format!(">{name} ({id})</a>")), "{name} ({id}) in {}", r.body);
        assert!(r.body.contains(&format!("go/view?arn={}", encode(arn))), "{arn} in {}", r.body);
    }
}

async fn a_read_key_gets_no_form_that_changes_anything_and_forged_posts_are_refused(backend: Backend) {
    let app = App::new(backend).await;
    let (t, manage) = app.tenant("Acme").await;
    let scan = app.demo_scan(&t, &manage).await;
    let read = app.key(&t, &manage, "read").await;
    let (cookie, csrf) = app.sign_in(&read).await;
    let (manage_cookie, manage_csrf) = app.sign_in(&manage).await;
    let pages = tenant_pages(&t, &scan);
    for page in &pages {
        let r = app.page(page, &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.body);
        let actions = r.attributes("action");
        assert_eq!(actions, ["/ui/logout"], "{page}: a read key sees only the sign-out form");
        // The same page with a manage key does have forms where something can change.
        let m = app.page(page, &manage_cookie).await;
        assert_eq!(m.status, StatusCode::OK, "{page}");
    }
    let with_forms = ["exceptions", "attestations", "scans", "settings", "extensions"];
    for p in with_forms {
        let m = app.page(&format!("/ui/t/{t}/{p}"), &manage_cookie).await;
        assert!(m.attributes("action").len() > 1, "{p}: a manage key gets its forms");
    }
    // Forged posts with the read session's own valid CSRF token: the API refuses the scope.
    let exception =
        [("check", "s3_bucket_no_mfa_delete"), ("justification", "forged"), ("approved_by", "nobody"), ("expires", "2099-01-01")];
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend(exception);
    for (path, body) in
        [(format!("/ui/t/{t}/exceptions"), fields.clone()), (format!("/ui/t/{t}/scans"), vec![("csrf", csrf.as_str()), ("source", "demo")])]
    {
        let r = app.form(&path, &cookie, &body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
        assert!(r.body.contains("needs manage") || r.body.contains("needs scan"), "{}", r.body);
    }
    // A manage session without its CSRF token, or with another session's: refused too.
    let mut stolen = vec![("csrf", csrf.as_str())];
    stolen.extend(exception);
    assert_eq!(app.form(&format!("/ui/t/{t}/exceptions"), &manage_cookie, &stolen).await.status, StatusCode::FORBIDDEN);
    assert_ne!(csrf, manage_csrf);
    for (path, body) in [
        (format!("/ui/t/{t}/schedules"), vec![("csrf", csrf.as_str()), ("cron", "@daily"), ("source", "demo")]),
        (format!("/ui/t/{t}/webhook/delete"), vec![("csrf", csrf.as_str())]),
        (format!("/ui/t/{t}/frameworks/hipaa/delete"), vec![("csrf", csrf.as_str())]),
    ] {
        let r = app.form(&path, &cookie, &body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
    }
    let r =
        app.upload(&format!("/ui/t/{t}/frameworks"), &cookie, &[("csrf", &csrf)], &[("file", "f.toml", ACME_BASELINE.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let none = app.api(Method::GET, &format!("/v1/tenants/{t}/exceptions"), &manage, None).await;
    assert_eq!(none["items"], json!([]), "nothing was recorded");
    let none = app.api(Method::GET, &format!("/v1/tenants/{t}/schedules"), &manage, None).await;
    assert_eq!(none["total"], 0, "no schedule was added");
    let none = app.api(Method::GET, &format!("/v1/tenants/{t}/frameworks"), &manage, None).await;
    assert_eq!(none["items"], json!([]), "no framework was uploaded");
    let scans = app.api(Method::GET, &format!("/v1/tenants/{t}/scans"), &manage, None).await;
    assert_eq!(scans["total"], 1, "no scan was started");
}

async fn another_tenants_pages_are_not_found(backend: Backend) {
    let app = App::new(backend).await;
    let (a, key_a) = app.tenant("Acme").await;
    let (b, key_b) = app.tenant("Globex").await;
    app.demo_scan(&a, &key_a).await;
    let scan_b = app.demo_scan(&b, &key_b).await;
    let (cookie, csrf) = app.sign_in(&key_a).await;
    let mut pages = tenant_pages(&b, &scan_b);
    pages.push(format!("/ui/t/{b}/scans/{scan_b}/files/report.pdf?framework=hipaa"));
    assert_eq!(pages.len(), 14);
    for page in &pages {
        let r = app.page(page, &cookie).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{page}");
        assert!(!r.body.contains("Globex"), "{page} names nothing of the other tenant");
    }
    let r = app.form(&format!("/ui/t/{b}/scans"), &cookie, &[("csrf", &csrf), ("source", "demo")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The admin's tenant list is the operator's: a tenant key is refused it.
    assert_eq!(app.page("/ui/tenants", &cookie).await.status, StatusCode::FORBIDDEN);
    // An admin session sees both tenants.
    let (admin_cookie, _) = app.sign_in(&app.admin).await;
    let r = app.page("/ui/tenants", &admin_cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Acme") && r.body.contains("Globex"));
    assert_eq!(app.page(&pages[0], &admin_cookie).await.status, StatusCode::OK);
}

async fn an_exception_recorded_in_the_form_excepts_the_next_scans_findings(backend: Backend) {
    let app = App::new(backend).await;
    let (t, key) = app.tenant("Acme").await;
    app.demo_scan(&t, &key).await;
    let (cookie, csrf) = app.sign_in(&key).await;
    let check = "s3_bucket_no_mfa_delete";
    let failing = app.page(&format!("/ui/t/{t}/findings?check={check}&status=fail"), &cookie).await;
    let resources = failing.attributes("data-resource");
    assert!(!resources.is_empty(), "the demo fails {check} somewhere");
    // A refused form comes back filled as it was sent, with the API's reason.
    let r = app
        .form(
            &format!("/ui/t/{t}/exceptions"),
            &cookie,
            &[("csrf", &csrf), ("check", check), ("justification", "kept as sent"), ("approved_by", "CISO"), ("expires", "2001-01-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("role=\"alert\"") && r.body.contains("expires"), "{}", r.body);
    assert!(r.body.contains("kept as sent"), "nothing typed is lost");
    let expires = "2099-01-01";
    let r = app
        .form(
            &format!("/ui/t/{t}/exceptions"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("check", check),
                ("justification", "MFA delete is replaced by object lock"),
                ("approved_by", "CISO"),
                ("expires", expires),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "more than 366 days ahead is refused: {}", r.body);
    let expires =
        jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date().checked_add(jiff::Span::new().days(30)).unwrap().to_string();
    let r = app
        .form(
            &format!("/ui/t/{t}/exceptions"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("check", check),
                ("justification", "MFA delete is replaced by object lock"),
                ("approved_by", "CISO"),
                ("expires", &expires),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let listed = app.page(&format!("/ui/t/{t}/exceptions"), &cookie).await;
    assert_eq!(listed.attributes("data-exception").len(), 1);
    app.demo_scan(&t, &key).await;
    let excepted = app.page(&format!("/ui/t/{t}/findings?check={check}&status=excepted"), &cookie).await;
    let mut now_excepted = excepted.attributes("data-resource");
    let mut before = resources.clone();
    now_excepted.sort();
    before.sort();
    assert_eq!(now_excepted, before, "the findings that failed are excepted now");
    let still = app.page(&format!("/ui/t/{t}/findings?check={check}&status=fail"), &cookie).await;
    assert!(still.attributes("data-resource").is_empty());
    // Expiring it today from the form: it is still active today, then lapses.
    let id = listed.attributes("data-exception").remove(0);
    let r = app.form(&format!("/ui/t/{t}/exceptions/{id}/expire"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let record = app.api(Method::GET, &format!("/v1/tenants/{t}/exceptions/{id}"), &key, None).await;
    assert_eq!(record["history"].as_array().unwrap().len(), 2, "{record}");
    let r = app.form(&format!("/ui/t/{t}/exceptions/{id}/delete"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let record = app.api(Method::GET, &format!("/v1/tenants/{t}/exceptions/{id}"), &key, None).await;
    assert_eq!(record["state"], "deleted");
}

/// A tenant framework: two requirements decided by checks, one manual.
const ACME_BASELINE: &str = r#"id = "acme-baseline"
name = "Acme storage baseline"
version = "2026.1"

[[requirements]]
id = "ACME-1"
title = "Buckets are encrypted"
checks = ["s3_bucket_default_encryption"]

[[requirements]]
id = "ACME-2"
title = "Buckets block public access"
checks = ["s3_bucket_level_public_access_block"]

[[requirements]]
id = "ACME-3"
title = "Data owners review access yearly"
checks = []
"#;

async fn a_manage_key_runs_schedules_the_webhook_and_frameworks_from_the_portal(backend: Backend) {
    let secret_key = securebase_jobs::SecretKey::new("portal-test-service-key-0123456789").unwrap();
    let app = App::with_config(backend, ApiConfig { secret_key: Some(secret_key), ..ApiConfig::default() }).await;
    let (t, key) = app.tenant("Acme").await;
    let (cookie, csrf) = app.sign_in(&key).await;
    let settings = format!("/ui/t/{t}/settings");
    let r = app.page(&settings, &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("None: scans run when someone starts them."));

    // Schedules: a bad one comes back with the API's reason and what was typed.
    let r = app.form(&format!("/ui/t/{t}/schedules"), &cookie, &[("csrf", &csrf), ("cron", "every tuesday"), ("source", "demo")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("role=\"alert\"") && r.body.contains("value=\"every tuesday\""), "{}", r.body);
    let r = app
        .form(
            &format!("/ui/t/{t}/schedules"),
            &cookie,
            &[("csrf", &csrf), ("cron", "0 2 * * *"), ("timezone", "Europe/Berlin"), ("source", "demo")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let schedules = app.api(Method::GET, &format!("/v1/tenants/{t}/schedules"), &key, None).await;
    assert_eq!(schedules["total"], 1, "{schedules}");
    let schedule = &schedules["items"][0];
    assert_eq!(
        (schedule["cron"].as_str(), schedule["timezone"].as_str(), schedule["source"].as_str()),
        (Some("0 2 * * *"), Some("Europe/Berlin"), Some("demo"))
    );
    let id = schedule["id"].as_str().unwrap();
    let r = app.page(&settings, &cookie).await;
    assert_eq!(r.attributes("data-schedule"), [id]);

    // The webhook: its secret is on the answer to setting it, and on no page after.
    let r = app
        .form(&format!("/ui/t/{t}/webhook"), &cookie, &[("csrf", &csrf), ("url", "https://127.0.0.1/hook"), ("min_severity", "high")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "loopback is refused: {}", r.body);
    assert!(r.body.contains("public addresses only"), "{}", r.body);
    let r = app
        .form(&format!("/ui/t/{t}/webhook"), &cookie, &[("csrf", &csrf), ("url", "https://8.8.8.8/hook"), ("min_severity", "critical")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let secrets = r.attributes("data-secret");
    assert!(secrets.is_empty(), "a bare attribute, not a value");
    let secret =
        r.body.split("<code data-secret>").nth(1).and_then(|s| s.split("</code>").next()).expect("the secret is shown").to_string();
    assert!(secret.len() >= 32, "{secret}");
    let hook = app.api(Method::GET, &format!("/v1/tenants/{t}/webhook"), &key, None).await;
    assert_eq!((hook["url"].as_str(), hook["min_severity"].as_str()), (Some("https://8.8.8.8/hook"), Some("critical")));
    let r = app.page(&settings, &cookie).await;
    assert!(r.body.contains("https://8.8.8.8/hook") && !r.body.contains(&secret), "shown once");

    // A framework uploaded from a file, listed, and scored by the next scan.
    let extensions = format!("/ui/t/{t}/extensions");
    let r =
        app.upload(&format!("/ui/t/{t}/frameworks"), &cookie, &[("csrf", &csrf)], &[("file", "acme.toml", b"id = \"x\"\n[[oops")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("role=\"alert\""));
    let r =
        app.upload(&format!("/ui/t/{t}/frameworks"), &cookie, &[("csrf", &csrf)], &[("file", "acme.toml", ACME_BASELINE.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app.page(&extensions, &cookie).await;
    assert_eq!(r.attributes("data-framework"), ["acme-baseline"], "{}", r.body);
    // A new version of it, named as such.
    let v2 = ACME_BASELINE.replace("2026.1", "2026.2");
    let r = app
        .upload(
            &format!("/ui/t/{t}/frameworks"),
            &cookie,
            &[("csrf", &csrf), ("replaces", "acme-baseline")],
            &[("file", "acme.toml", v2.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let fw = app.api(Method::GET, &format!("/v1/tenants/{t}/frameworks/acme-baseline"), &key, None).await;
    assert_eq!(fw["version"], 2, "{fw}");
    app.demo_scan(&t, &key).await;
    let r = app.page(&format!("/ui/t/{t}/"), &cookie).await;
    assert!(r.attributes("data-framework").contains(&"acme-baseline".to_string()), "{}", r.body);

    // A plugin: one that cannot load is refused on the form; the tenant's own loads,
    // is listed as running, and is disabled and deleted from the page.
    let plugins = format!("/ui/t/{t}/plugins");
    let future = std::fs::read(securebase_e2e::FUTURE_MAJOR).unwrap();
    let r = app.upload(&plugins, &cookie, &[("csrf", &csrf)], &[("component", "future.wasm", &future)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("role=\"alert\"") && r.body.contains("securebase:control@2.0.0"), "{}", r.body);
    assert_eq!(r.body.matches("type=\"file\"").count(), 2, "one file input per upload form: {}", r.body);
    let r = app.upload(&plugins, &cookie, &[("csrf", &csrf)], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "no file: {}", r.body);
    assert!(r.body.contains("choose a file"), "{}", r.body);
    let policy = std::fs::read(securebase_e2e::TENANT_POLICY).unwrap();
    let r = app.upload(&plugins, &cookie, &[("csrf", &csrf), ("signature", "")], &[("component", "policy.wasm", &policy)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let listed = app.api(Method::GET, &format!("/v1/tenants/{t}/plugins"), &key, None).await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{listed}");
    let (name, version) = (items[0]["name"].as_str().unwrap(), items[0]["version"].as_str().unwrap());
    let r = app.page(&extensions, &cookie).await;
    assert_eq!(r.attributes("data-plugin"), [name]);
    assert!(r.body.contains("s-running"), "{}", r.body);
    let action = |what: &str| format!("/ui/t/{t}/plugins/{name}/{what}?version={version}");
    let r = app.form(&action("disable"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let listed = app.api(Method::GET, &format!("/v1/tenants/{t}/plugins"), &key, None).await;
    assert_eq!((listed["items"][0]["enabled"].as_bool(), listed["items"][0]["running"].as_bool()), (Some(false), Some(false)));
    assert_eq!(app.form(&format!("/ui/t/{t}/plugins/{name}/explode"), &cookie, &[("csrf", &csrf)]).await.status, StatusCode::BAD_REQUEST);
    let r = app.form(&action("delete"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.api(Method::GET, &format!("/v1/tenants/{t}/plugins"), &key, None).await["items"], json!([]));

    // Usage: the scan and the reads were metered; this month's invoice is open.
    let r = app.page(&format!("/ui/t/{t}/usage"), &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let kinds = r.attributes("data-kind");
    assert!(kinds.contains(&"compliance_scan".to_string()) && kinds.contains(&"api_call".to_string()), "{kinds:?}");
    let month = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).strftime("%Y-%m").to_string();
    let r = app.page(&format!("/ui/t/{t}/invoices/{month}"), &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("s-open"), "this month's invoice is open");
    assert_eq!(app.page(&format!("/ui/t/{t}/invoices/2999-01"), &cookie).await.status, StatusCode::NOT_FOUND);

    // Removing: the schedule, the webhook and the framework go.
    let r = app.form(&format!("/ui/t/{t}/schedules/{id}/delete"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app.form(&format!("/ui/t/{t}/webhook/delete"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app.form(&format!("/ui/t/{t}/frameworks/acme-baseline/delete"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.api(Method::GET, &format!("/v1/tenants/{t}/schedules"), &key, None).await["total"], 0);
    assert_eq!(app.api(Method::GET, &format!("/v1/tenants/{t}/frameworks"), &key, None).await["items"], json!([]));
    let r = app.page(&settings, &cookie).await;
    assert!(r.body.contains("None: finished scans and new failures notify nobody."));
}

async fn a_scan_page_compares_with_any_scan_of_its_scope_and_shows_progress(backend: Backend) {
    let app = App::new(backend).await;
    let (t, key) = app.tenant("Acme").await;
    let first = app.demo_scan(&t, &key).await;
    let second = app.demo_scan(&t, &key).await;
    let third = app.demo_scan(&t, &key).await;
    let (cookie, _) = app.sign_in(&key).await;
    let r = app.page(&format!("/ui/t/{t}/scans/{third}"), &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    // The picker offers the scope's other succeeded scans; by default the previous one is compared.
    let options = r.attributes("value");
    assert!(options.contains(&first) && options.contains(&second) && !options.contains(&third), "{options:?}");
    assert!(r.body.contains(&format!("Compared with scan <a href=\"/ui/t/{t}/scans/{second}\">")), "{}", r.body);
    let r = app.page(&format!("/ui/t/{t}/scans/{third}?against={first}"), &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains(&format!("Since scan {first}"))
            && r.body.contains(&format!("Compared with scan <a href=\"/ui/t/{t}/scans/{first}\">"))
    );
    // Comparing with itself, or with a scan that is not there, is the API's refusal.
    assert_eq!(app.page(&format!("/ui/t/{t}/scans/{third}?against={third}"), &cookie).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.page(&format!("/ui/t/{t}/scans/{third}?against=s_nope"), &cookie).await.status, StatusCode::NOT_FOUND);

    // A scan in flight shows how far it got, from its newest progress event. No worker
    // runs in this second service, so the scan stays where the test puts it.
    let idle = App::with_config(backend, ApiConfig { workers: 0, ..ApiConfig::default() }).await;
    let (t, key) = idle.tenant("Idle").await;
    let queued = idle.api(Method::POST, &format!("/v1/tenants/{t}/scans"), &key, Some(json!({"source": "demo"}))).await;
    let id = queued["id"].as_str().unwrap();
    let (cookie, _) = idle.sign_in(&key).await;
    let page = format!("/ui/t/{t}/scans/{id}");
    let r = idle.page(&page, &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("s-queued") && r.body.contains("Waiting for a worker"), "{}", r.body);
    assert_eq!(r.headers.get("refresh").unwrap(), "5", "the page follows the scan by reloading");
    let progress = json!({
        "account_id": "111122223333", "accounts_done": 3, "accounts_total": 8,
        "plugins_evaluated": 33, "findings_so_far": 120, "failing_so_far": 40,
    });
    idle._db.store.append_scan_event(&t, id, "account_evaluated", &progress).await.unwrap();
    let shown = "Evaluating: 3 of 8 accounts done, 120 findings so far (40 failing)";
    let r = idle.page(&page, &cookie).await;
    assert_eq!(r.attributes("data-event"), ["account_evaluated"], "{}", r.body);
    assert!(r.body.contains("<progress value=\"3\" max=\"8\"") && r.body.contains(shown), "{}", r.body);
    let r = idle.page(&format!("/ui/t/{t}/"), &cookie).await;
    assert!(r.body.contains("Scans in progress") && r.body.contains(shown), "{}", r.body);
    assert_eq!(r.headers.get("refresh").unwrap(), "5");
    // The API says the same to its own clients.
    let scan = idle.api(Method::GET, &format!("/v1/tenants/{t}/scans/{id}"), &key, None).await;
    assert_eq!((scan["progress"]["event"].as_str(), &scan["progress"]["data"]), (Some("account_evaluated"), &progress));
}
