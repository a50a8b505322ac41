//! The web portal in a real browser: headless Chromium driven over WebDriver
//! (chromedriver, both from Debian's packages, installed by `tests/run`) against the
//! real `securebase serve`, on SQLite and on PostgreSQL.
//!
//! A manage key signs in; the overview's score of each framework equals the
//! compliance-report API's; a framework leads to a failing requirement and its failing
//! resources; the PDF downloads through the browser and reads back with poppler; an
//! exception recorded in the form makes the next scan's findings excepted; sign-out
//! ends the session. A read key finds no form that changes anything, and a form forged
//! into the page is refused; another tenant's page is a 404. Screenshots of each page
//! are written under `$CARGO_TARGET_TMPDIR/portal-screenshots/<backend>/`.

use fantoccini::{Client, ClientBuilder, Locator};
use securebase_e2e::moto::Server as Process;
use securebase_e2e::pdftotext;
use securebase_e2e::server::{Server, bootstrap_key};
use securebase_store::Backend;
use securebase_store::testing::fresh;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

securebase_store::both_backends!(the_portal_works_in_a_real_browser);

/// chromedriver on a loopback port, stopped on drop.
fn chromedriver() -> Process {
    let port = securebase_e2e::moto::free_port();
    let arg = format!("--port={port}");
    Process::spawn_program("chromedriver", "Debian's chromium-driver; tests/run installs it", "chromedriver", port, &[&arg], &[])
}

/// A headless Chromium that downloads into `downloads` without asking.
async fn browser(driver: &Process, profile: &Path, downloads: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            // The machine's network is closed: without these Chromium keeps calling home.
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1100",
                     format!("--user-data-dir={}", profile.display())],
            "prefs": {"download.default_directory": downloads.to_str().unwrap(), "download.prompt_for_download": false},
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session in headless Chromium")
}

struct Visit<'a> {
    client: &'a Client,
    base: String,
    shots: PathBuf,
}

impl Visit<'_> {
    async fn go(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        format!("{}{}", url.path(), url.query().map(|q| format!("?{q}")).unwrap_or_default())
    }

    /// Waits for the browser to arrive at a path starting with `prefix` (a click that
    /// submits a form returns before the answer is shown); returns the path.
    async fn until_path(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let path = self.path().await;
            if path.starts_with(prefix) {
                return path;
            }
            assert!(Instant::now() < deadline, "still at {path}, expected {prefix}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    async fn h1(&self) -> String {
        self.client.find(Locator::Css("h1")).await.unwrap().text().await.unwrap()
    }

    /// The page's heading, or `None` while the page is being replaced: for polling.
    async fn h1_now(&self) -> Option<String> {
        self.client.find(Locator::Css("h1")).await.ok()?.text().await.ok()
    }

    async fn sign_in(&self, key: &str) {
        self.go("/ui/login").await;
        self.client.find(Locator::Id("key")).await.unwrap().send_keys(key).await.unwrap();
        self.client.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    }

    async fn sign_out(&self) {
        self.client.find(Locator::Css("form[action='/ui/logout'] button")).await.unwrap().click().await.unwrap();
    }

    /// The `attr` of every element matching `css`.
    async fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        let mut out = vec![];
        for e in self.client.find_all(Locator::Css(css)).await.unwrap() {
            out.push(e.attr(attr).await.unwrap().unwrap_or_default());
        }
        out
    }

    /// How many elements match `css` now (0 while the page is being replaced): for polling
    /// after a form posts back to its own page.
    async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.map(|found| found.len()).unwrap_or(0)
    }

    async fn fill(&self, id: &str, value: &str) {
        let e = self.client.find(Locator::Id(id)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
    }
}

async fn the_portal_works_in_a_real_browser(backend: Backend) {
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
    let api = |method: &str, path: &str, token: &str, body: Option<Value>| {
        let (status, v) = tokio::task::block_in_place(|| server.json(method, path, token, body.as_ref()));
        assert!((200..300).contains(&status), "{method} {path}: {status} {v}");
        v
    };
    let tenant_body = |name: &str| {
        json!({"name": name, "tier": "healthcare", "framework": "hipaa", "organization": format!("{name}, Inc."),
               "contact_email": "ciso@example.org", "billing_code": "HC-01"})
    };
    let acme = api("POST", "/v1/tenants", &admin, Some(tenant_body("Acme Health")));
    let (t, key) = (acme["id"].as_str().unwrap().to_string(), acme["api_key"]["token"].as_str().unwrap().to_string());
    let other = api("POST", "/v1/tenants", &admin, Some(tenant_body("Globex Care")));
    let other_id = other["id"].as_str().unwrap().to_string();
    let demo = |token: &str, tenant: &str| {
        let v = api("POST", &format!("/v1/tenants/{tenant}/scans?wait=true"), token, Some(json!({"source": "demo"})));
        assert_eq!(v["status"], "succeeded");
        v["id"].as_str().unwrap().to_string()
    };
    let first_scan = demo(&key, &t);
    let scan = demo(&key, &t);
    let read = api("POST", &format!("/v1/tenants/{t}/keys"), &key, Some(json!({"scope": "read", "label": "auditor"})));
    let read_key = read["token"].as_str().unwrap().to_string();

    let driver = chromedriver();
    let (profile, downloads) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let client = browser(&driver, profile.path(), downloads.path()).await;
    let name = format!("{backend:?}").to_lowercase();
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("portal-screenshots").join(&name);
    std::fs::create_dir_all(&shots).unwrap();
    let v = Visit { client: &client, base: format!("http://{}", server.addr), shots };

    // Signing in lands on the tenant's overview.
    v.go(&format!("/ui/t/{t}/")).await;
    assert!(v.path().await.starts_with("/ui/login?next="), "not signed in: sent to sign in");
    v.shot("login").await;
    v.sign_in(&key).await;
    assert_eq!(v.until_path(&format!("/ui/t/{t}/")).await, format!("/ui/t/{t}/"));
    assert_eq!(v.h1().await, "Overview");
    v.shot("overview").await;
    v.client.execute("document.getElementById('trend').scrollIntoView()", vec![]).await.unwrap();
    v.shot("overview-trend").await;

    // Each framework's score is the compliance report's.
    let frameworks = v.attrs("article.card", "data-framework").await;
    assert_eq!(frameworks, ["cis-aws-foundations", "soc2", "hipaa", "fedramp-moderate", "iso27001-2022", "pci-dss-v4"]);
    let shown = v.attrs("article.card .score", "data-score").await;
    assert_eq!(shown.len(), 6);
    for (fw, shown) in frameworks.iter().zip(&shown) {
        let report = api("GET", &format!("/v1/tenants/{t}/compliance-report?framework={fw}&failing_limit=1"), &key, None);
        let score = report["summary"]["score"].as_f64().unwrap();
        assert_eq!(shown, &format!("{score:.1}"), "{fw}");
    }

    // Framework -> a failing requirement -> its failing resources.
    v.client.find(Locator::Css("article.card[data-framework=hipaa] h3 a")).await.unwrap().click().await.unwrap();
    v.until_path(&format!("/ui/t/{t}/frameworks/hipaa")).await;
    v.shot("framework").await;
    let failing = v.client.find(Locator::Css("tr[data-status=fail] a")).await.expect("HIPAA fails a requirement on the demo");
    let requirement = failing.text().await.unwrap();
    failing.click().await.unwrap();
    v.until_path(&format!("/ui/t/{t}/frameworks/hipaa/requirements/")).await;
    assert!(v.h1().await.starts_with(&requirement), "{}", v.h1().await);
    let resources = v.attrs("table.findings tr[data-resource]", "data-resource").await;
    assert!(!resources.is_empty(), "a failing requirement lists its failing resources");
    v.shot("requirement").await;

    // The findings explorer, filtered.
    v.go(&format!("/ui/t/{t}/findings")).await;
    v.client.find(Locator::Id("severity")).await.unwrap().select_by_value("high").await.unwrap();
    v.client.find(Locator::Id("status")).await.unwrap().select_by_value("fail").await.unwrap();
    v.client.find(Locator::Css("form.filters button")).await.unwrap().click().await.unwrap();
    v.until_path(&format!("/ui/t/{t}/findings?status=fail&severity=high")).await;
    let statuses = v.attrs("table.findings tr[data-status]", "data-status").await;
    let api_page = api("GET", &format!("/v1/tenants/{t}/findings?status=fail&severity=high&limit=50"), &key, None);
    assert_eq!(statuses.len() as u64, api_page["total"].as_u64().unwrap().min(50));
    assert!(!statuses.is_empty() && statuses.iter().all(|s| s == "fail"));
    // Each AWS resource links to its console page (SecureBase's own types have none).
    let types = v.attrs("table.findings tr[data-type]", "data-type").await;
    let console = v.attrs("table.findings tr[data-resource] td a[target=_blank]", "href").await;
    assert_eq!(console.len(), types.iter().filter(|t| t.starts_with("AWS::")).count(), "{types:?}");
    assert!(!console.is_empty());
    assert!(console.iter().all(|u| u.starts_with("https://") && u.contains("console.aws.amazon.com")), "{console:?}");
    v.shot("findings").await;

    // The PDF, downloaded through the browser, reads back.
    v.go(&format!("/ui/t/{t}/scans/{scan}")).await;
    v.shot("scan").await;
    v.client.find(Locator::Css("a[href$='/files/report.pdf?framework=hipaa']")).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let pdf = loop {
        let done: Vec<PathBuf> = std::fs::read_dir(downloads.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .collect();
        if let Some(p) = done.first() {
            break p.clone();
        }
        assert!(Instant::now() < deadline, "no PDF downloaded");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let text = pdftotext(&pdf);
    assert!(text.contains("HIPAA Security Rule") && text.contains("Acme Health, Inc."), "{text}");

    // An exception recorded in the form; the next scan's findings of that check are excepted.
    let check = "s3_bucket_no_mfa_delete";
    let failing_before = api("GET", &format!("/v1/tenants/{t}/findings?check={check}&status=fail"), &key, None)["total"].as_u64().unwrap();
    assert!(failing_before > 0, "the demo fails {check}");
    v.go(&format!("/ui/t/{t}/exceptions")).await;
    let expires = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date().checked_add(jiff::Span::new().days(60)).unwrap();
    for (id, value) in [("check", check), ("justification", "Object Lock replaces MFA delete"), ("approved_by", "CISO")] {
        v.fill(id, value).await;
    }
    // A date input takes the date as the browser's locale types it; set its value directly.
    v.client.execute("document.getElementById('expires').value = arguments[0];", vec![json!(expires.to_string())]).await.unwrap();
    v.client.find(Locator::Css("form.stack button[type=submit]")).await.unwrap().click().await.unwrap();
    // The form posts and comes back to this page: wait for the row, not for the path.
    let deadline = Instant::now() + Duration::from_secs(20);
    while v.count("tr[data-exception]").await == 0 {
        assert!(Instant::now() < deadline, "the exception recorded in the form is not listed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(v.until_path(&format!("/ui/t/{t}/exceptions")).await, format!("/ui/t/{t}/exceptions"));
    assert_eq!(v.attrs("tr[data-exception]", "data-exception").await.len(), 1);
    v.shot("exceptions").await;
    v.go(&format!("/ui/t/{t}/scans")).await;
    v.client.find(Locator::Id("source")).await.unwrap().select_by_value("demo").await.unwrap();
    v.client.find(Locator::Css("form[action$='/scans'] button")).await.unwrap().click().await.unwrap();
    let new_scan = v.until_path(&format!("/ui/t/{t}/scans/s_")).await.rsplit('/').next().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let s = api("GET", &format!("/v1/tenants/{t}/scans/{new_scan}"), &key, None);
        if s["status"] == "succeeded" {
            break;
        }
        assert!(s["status"] != "failed" && Instant::now() < deadline, "{s}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    v.go(&format!("/ui/t/{t}/findings?check={check}&status=excepted")).await;
    let excepted = v.attrs("table.findings tr[data-status=excepted]", "data-resource").await;
    assert_eq!(excepted.len() as u64, failing_before, "every finding that failed is excepted now");

    // Any two scans compare: the newest with the first, picked from the scope's scans.
    v.go(&format!("/ui/t/{t}/scans/{new_scan}")).await;
    v.client.find(Locator::Id("against")).await.unwrap().select_by_value(&first_scan).await.unwrap();
    v.client.find(Locator::Css("form.filters button")).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !v.client.source().await.unwrap().contains(&format!("Since scan {first_scan}")) {
        assert!(Instant::now() < deadline, "no comparison with {first_scan}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(v.client.current_url().await.unwrap().as_str().contains(&format!("against={first_scan}")));
    v.client.execute("document.getElementById('drift').scrollIntoView();", vec![]).await.unwrap();
    v.shot("scan-compare").await;

    // A manage key's settings: a schedule added in the form is the API's.
    v.go(&format!("/ui/t/{t}/settings")).await;
    v.fill("cron", "0 3 * * 1").await;
    v.client.find(Locator::Id("source")).await.unwrap().select_by_value("demo").await.unwrap();
    v.client.find(Locator::Css("form[action$='/schedules'] button")).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while v.count("tr[data-schedule]").await == 0 {
        assert!(Instant::now() < deadline, "the schedule added in the form is not listed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(v.until_path(&format!("/ui/t/{t}/settings")).await, format!("/ui/t/{t}/settings"));
    let schedules = api("GET", &format!("/v1/tenants/{t}/schedules"), &key, None);
    assert_eq!(schedules["total"], 1, "{schedules}");
    assert_eq!(v.attrs("tr[data-schedule]", "data-schedule").await, [schedules["items"][0]["id"].as_str().unwrap()]);
    v.shot("settings").await;
    v.go(&format!("/ui/t/{t}/usage")).await;
    assert!(v.attrs("tr[data-kind]", "data-kind").await.contains(&"compliance_scan".to_string()));
    v.shot("usage").await;

    // Signing out ends the session.
    v.sign_out().await;
    assert_eq!(v.until_path("/ui/login").await, "/ui/login");
    v.go(&format!("/ui/t/{t}/")).await;
    assert!(v.path().await.starts_with("/ui/login"));

    // The auditor's read key: no form that changes anything, on any page.
    v.sign_in(&read_key).await;
    v.until_path(&format!("/ui/t/{t}/")).await;
    let pages = ["", "findings", "scans", "exceptions", "attestations", "frameworks/hipaa", "settings", "extensions", "usage"]
        .map(|p| format!("/ui/t/{t}/{p}"));
    for page in pages.iter().chain([format!("/ui/t/{t}/scans/{scan}")].iter()) {
        v.go(page).await;
        assert_eq!(v.path().await, *page);
        let actions = v.attrs("form[method=post]", "action").await;
        assert_eq!(actions, ["/ui/logout"], "{page}");
    }
    v.go(&format!("/ui/t/{t}/exceptions")).await;
    v.shot("exceptions-read-key").await;
    // A form forged into the page, with the session's own CSRF token: refused.
    v.client
        .execute(
            "const csrf = document.querySelector('input[name=csrf]').value;
             const f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];
             for (const [k, val] of Object.entries({csrf, check: arguments[1], justification: 'forged', approved_by: 'nobody', expires: arguments[2]})) {
               const i = document.createElement('input'); i.name = k; i.value = val; f.appendChild(i);
             }
             document.body.appendChild(f); f.submit();",
            vec![json!(format!("/ui/t/{t}/exceptions")), json!(check), json!(expires.to_string())],
        )
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while v.h1_now().await.as_deref() != Some("Not allowed") {
        assert!(Instant::now() < deadline, "the forged form was not refused: {}", v.client.source().await.unwrap());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let listed = api("GET", &format!("/v1/tenants/{t}/exceptions"), &key, None);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "nothing was added");

    // Another tenant's page is not found, and says nothing of that tenant.
    v.go(&format!("/ui/t/{other_id}/")).await;
    assert_eq!(v.h1().await, "Not found");
    let source = v.client.source().await.unwrap();
    assert!(!source.contains("Globex"));
    v.shot("not-found").await;

    client.close().await.unwrap();
    drop(driver);
    let (status, _) = tokio::task::block_in_place(|| server.stop());
    assert!(status.success());
}
