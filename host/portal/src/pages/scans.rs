//! Scans: the list, starting one (a `scan` key), one scan (its frameworks, accounts,
//! plugins with versions and hashes, plugin and collection errors, what changed since
//! the previous scan of its scope) and its downloads, passed through from the API.

use super::{items, num, seg, text, when};
use crate::UiError;
use crate::layout::{self, badge, pct};
use crate::session::Session;
use axum::Form;
use axum::body::Body;
use axum::extract::{Path, Query};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use securebase_store::KeyScope;
use serde::Deserialize;
use serde_json::{Value, json};

/// Scans per page.
const PER_PAGE: u64 = 25;

/// The files a scan can be downloaded as: the name under `files/` is the API's.
pub(crate) const FILES: &[(&str, &str, bool)] = &[
    // (file, label, per framework)
    ("report.pdf", "PDF report", true),
    ("audit-package.zip", "Audit package", true),
    ("report.csv", "Findings (CSV)", false),
    ("report.ocsf.json", "Findings (OCSF)", false),
];

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    skip: Option<u64>,
}

/// The form that starts a scan (shown to `scan` and `manage` keys).
pub(crate) fn start_form(session: &Session, t: &str) -> Markup {
    html! {
        form method="post" action={ "/ui/t/" (t) "/scans" } {
            input type="hidden" name="csrf" value=(session.csrf());
            label for="source" { "Scan " }
            select id="source" name="source" {
                option value="accounts" { "the tenant's AWS accounts" }
                option value="demo" { "the demo organization" }
            }
            " "
            button type="submit" { "Start a scan" }
        }
    }
}

pub(crate) async fn list(session: Session, Path(id): Path<String>, Query(q): Query<PageQuery>) -> Result<Response, UiError> {
    let t = seg(&id);
    let skip = q.skip.unwrap_or(0);
    let page: Value = session.api.get(&format!("/v1/tenants/{t}/scans?skip={skip}&limit={PER_PAGE}")).await?;
    let total = page["total"].as_u64().unwrap_or(0);
    let running = items(&page).iter().any(|s| matches!(text(&s["status"]), "queued" | "running"));
    let content = html! {
        @if session.can(KeyScope::Scan) { (start_form(&session, &t)) }
        p role="status" { (total) " scans" }
        div.table-wrap { table {
            thead { tr { th scope="col" { "Scan" } th scope="col" { "Status" } th scope="col" { "Source" } th scope="col" { "Started" }
                th scope="col" { "Accounts" } th scope="col" { "Resources" } th scope="col" { "Failing" } th scope="col" { "New / resolved failures" } } }
            tbody {
                @for s in items(&page) {
                    tr {
                        td { a href={ "/ui/t/" (t) "/scans/" (seg(text(&s["id"]))) } { (text(&s["id"])) } }
                        td { (badge(text(&s["status"]))) }
                        td { (text(&s["source"])) }
                        td { (when(&s["started_at"])) }
                        td { (num(&s["accounts"])) }
                        td { (num(&s["resources"])) }
                        td { (num(&s["failing"])) }
                        td { (num(&s["drift"]["new_failures"])) " / " (num(&s["drift"]["resolved_failures"])) }
                    }
                }
            }
        } }
        nav.pager aria-label="Pages" {
            @if skip > 0 { a href={ "/ui/t/" (t) "/scans?skip=" (skip.saturating_sub(PER_PAGE)) } rel="prev" { "← Newer" } }
            @if skip + PER_PAGE < total { a href={ "/ui/t/" (t) "/scans?skip=" (skip + PER_PAGE) } rel="next" { "Older →" } }
        }
    };
    Ok(super::overview::with_refresh(layout::page(&session, Some(&t), "scans", "Scans", content), running))
}

#[derive(Deserialize)]
pub(crate) struct StartForm {
    csrf: String,
    source: String,
}

pub(crate) async fn start(session: Session, Path(id): Path<String>, Form(form): Form<StartForm>) -> Result<Redirect, UiError> {
    session.check_csrf(&form.csrf)?;
    let t = seg(&id);
    let scan = session.api.send(Method::POST, &format!("/v1/tenants/{t}/scans"), &json!({ "source": form.source })).await?;
    Ok(Redirect::to(&format!("/ui/t/{t}/scans/{}", seg(text(&scan["id"])))))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ShowQuery {
    /// Another scan of the scope to compare with (default: the previous one).
    against: Option<String>,
}

/// How many of a tenant's recent scans the comparison picker offers.
const COMPARABLE: u64 = 100;

pub(crate) async fn show(
    session: Session,
    Path((id, scan_id)): Path<(String, String)>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, UiError> {
    let (t, s) = (seg(&id), seg(&scan_id));
    let scan: Value = session.api.get(&format!("/v1/tenants/{t}/scans/{s}")).await?;
    let status = text(&scan["status"]).to_string();
    let finished = status == "succeeded";
    let against = q.against.filter(|a| !a.is_empty());
    let (posture, document, drift, comparable) = if finished {
        let drift_uri = match &against {
            Some(a) => format!("/v1/tenants/{t}/scans/{s}/drift?against={}", seg(a)),
            None => format!("/v1/tenants/{t}/scans/{s}/drift"),
        };
        let recent: Value = session.api.get(&format!("/v1/tenants/{t}/scans?limit={COMPARABLE}")).await?;
        let comparable: Vec<Value> = items(&recent)
            .iter()
            .filter(|o| text(&o["status"]) == "succeeded" && o["scope"] == scan["scope"] && o["id"] != scan["id"])
            .cloned()
            .collect();
        (
            Some(session.api.get::<Value>(&format!("/v1/tenants/{t}/posture?scan={s}")).await?),
            Some(session.api.get::<Value>(&format!("/v1/tenants/{t}/scans/{s}/document")).await?),
            Some(session.api.get::<Value>(&drift_uri).await?),
            comparable,
        )
    } else {
        (None, None, None, vec![])
    };
    let file = |name: &str, framework: Option<&str>| {
        format!("/ui/t/{t}/scans/{s}/files/{name}{}", framework.map(|f| format!("?framework={}", seg(f))).unwrap_or_default())
    };
    let content = html! {
        dl.counts.facts {
            dt { "Status" } dd { (badge(&status)) }
            dt { "Source" } dd { (text(&scan["source"])) }
            dt { "Requested by" } dd { (text(&scan["requested_by"])) }
            dt { "Queued" } dd { (when(&scan["created_at"])) }
            dt { "Started" } dd { (when(&scan["started_at"])) }
            dt { "Finished" } dd { (when(&scan["finished_at"])) }
            dt { "Accounts" } dd { (num(&scan["accounts"])) }
            dt { "Resources" } dd { (num(&scan["resources"])) }
            dt { "Findings" } dd { (num(&scan["findings"])) }
            dt { "Failing" } dd { (num(&scan["failing"])) }
        }
        @if let Some(e) = scan["error"].as_str() { p.error { (e) } }
        @if matches!(status.as_str(), "queued" | "running") {
            (progress(&scan))
            p.hint { "The scan has no results yet; this page refreshes every 5 seconds while it runs." }
        }
        @if let (Some(posture), Some(document)) = (&posture, &document) {
            h2 { "Frameworks and downloads" }
            div.table-wrap { table {
                thead { tr { th scope="col" { "Framework" } th scope="col" { "Score" } th scope="col" { "Coverage" } th scope="col" { "Downloads" } } }
                tbody {
                    @for f in posture["frameworks"].as_array().map(Vec::as_slice).unwrap_or_default() {
                        tr {
                            td { a href={ "/ui/t/" (t) "/frameworks/" (seg(text(&f["id"]))) "?scan=" (s) } { (text(&f["name"])) } }
                            td { (pct(f["summary"]["score"].as_f64())) }
                            td { (pct(f["summary"]["coverage"].as_f64())) }
                            td { @for (name, label, _) in FILES.iter().filter(|f| f.2) {
                                a href=(file(name, Some(text(&f["id"])))) download { (label) } " "
                            } }
                        }
                    }
                }
            } }
            p { @for (name, label, _) in FILES.iter().filter(|f| !f.2) { a href=(file(name, None)) download { (label) } " " } }
            h2 { "Accounts" }
            div.table-wrap { table {
                thead { tr { th scope="col" { "Account" } th scope="col" { "Name" } th scope="col" { "Captured" } th scope="col" { "Resources" } } }
                tbody { @for a in document["accounts"].as_array().map(Vec::as_slice).unwrap_or_default() {
                    tr { td { (text(&a["account_id"])) } td { (text(&a["account_name"])) } td { (when(&a["captured_at"])) } td { (num(&a["resources"])) } }
                } }
            } }
            h2 { "Plugins" }
            div.table-wrap { table {
                thead { tr { th scope="col" { "Plugin" } th scope="col" { "Version" } th scope="col" { "Origin" } th scope="col" { "SHA-256" } th scope="col" { "Checks" } } }
                tbody { @for p in document["plugins"].as_array().map(Vec::as_slice).unwrap_or_default() {
                    tr { td { (text(&p["name"])) } td { (text(&p["version"])) } td { (text(&p["origin"])) } td { code { (text(&p["sha256"])) } }
                        td { (p["checks"].as_array().map_or(0, Vec::len)) } }
                } }
            } }
            h2 { "Errors" }
            @let plugin_errors = document["plugin_errors"].as_array().map(Vec::as_slice).unwrap_or_default();
            @let collection_errors = document["collection_errors"].as_array().map(Vec::as_slice).unwrap_or_default();
            @if plugin_errors.is_empty() && collection_errors.is_empty() { p { "None: every plugin ran and everything was collected." } }
            @if !plugin_errors.is_empty() {
                table { caption { "Plugin errors" } thead { tr { th scope="col" { "Plugin" } th scope="col" { "Account" } th scope="col" { "Kind" } th scope="col" { "Message" } } }
                    tbody { @for e in plugin_errors { tr { td { (text(&e["plugin"])) } td { (text(&e["account_id"])) } td { (text(&e["kind"])) } td { (text(&e["message"])) } } } } }
            }
            @if !collection_errors.is_empty() {
                table { caption { "Collection errors" } thead { tr { th scope="col" { "Account" } th scope="col" { "Service" } th scope="col" { "Region" } th scope="col" { "Message" } } }
                    tbody { @for e in collection_errors { tr { td { (text(&e["account_id"])) } td { (text(&e["service"])) } td { (text(&e["region"])) } td { (text(&e["message"])) } } } } }
            }
        }
        @if let Some(drift) = &drift { (drift_section(&t, &drift["drift"], against.is_some(), &comparable)) }
    };
    let page = layout::page(&session, Some(&t), "scans", &format!("Scan {scan_id}"), content);
    Ok(super::overview::with_refresh(page, matches!(status.as_str(), "queued" | "running")))
}

/// How far a queued or running scan got, from its newest progress event.
pub(crate) fn progress(scan: &Value) -> Markup {
    let p = &scan["progress"];
    let d = &p["data"];
    // What the bar counts: accounts, or for a scan split into batches while they are
    // collected, the batches stored.
    let (done, total, counted) = match text(&p["event"]) {
        "account_evaluated" => (d["accounts_done"].as_u64(), d["accounts_total"].as_u64(), "Accounts done"),
        "accounts_collected" => (d["done"].as_u64(), d["total"].as_u64(), "Accounts done"),
        "batches_planned" => (Some(0), d["batches"].as_u64(), "Batches stored"),
        "batch_collected" => (d["batches_done"].as_u64(), d["batches_total"].as_u64(), "Batches stored"),
        _ => (None, None, ""),
    };
    let label = match text(&p["event"]) {
        "account_evaluated" => format!(
            "Evaluating: {} of {} accounts done, {} findings so far ({} failing)",
            num(&d["accounts_done"]),
            num(&d["accounts_total"]),
            num(&d["findings_so_far"]),
            num(&d["failing_so_far"])
        ),
        "accounts_collected" => format!("Collecting: {} of {} accounts read", num(&d["done"]), num(&d["total"])),
        "batches_planned" => {
            format!("Collecting: {} accounts split into {} batches for the workers to share", num(&d["accounts"]), num(&d["batches"]))
        }
        "batch_collected" => format!(
            "Collecting: {} of {} batches stored (the last by worker {})",
            num(&d["batches_done"]),
            num(&d["batches_total"]),
            text(&d["worker"])
        ),
        "started" => "Started: reading the accounts".to_string(),
        _ => "Waiting for a worker".to_string(),
    };
    html! {
        div.progress data-event=(text(&p["event"])) {
            @if let (Some(done), Some(total)) = (done, total) {
                progress value=(done) max=(total.max(1)) aria-label=(counted) { (done) " of " (total) }
                " "
            }
            span role="status" { (label) }
        }
    }
}

/// What changed since the previous scan of the scope, or since the scan picked to
/// compare with (any succeeded scan of the same scope among the recent ones).
fn drift_section(t: &str, d: &Value, picked: bool, comparable: &[Value]) -> Markup {
    let list = |k: &str| d[k].as_array().map(Vec::as_slice).unwrap_or_default().to_vec();
    html! {
        h2 id="drift" { @if picked { "Since scan " (text(&d["previous_scan"])) } @else { "Since the previous scan" } }
        @if !comparable.is_empty() {
            // Submits to this page (no action: a read key's pages carry no form that posts anywhere).
            form.filters method="get" {
                div {
                    label for="against" { "Compare with another scan of the same scope" }
                    select id="against" name="against" {
                        option value="" { "the previous scan" }
                        @for o in comparable {
                            option value=(text(&o["id"])) selected[o["id"] == d["previous_scan"] && picked] { (text(&o["id"])) " (" (when(&o["started_at"])) ")" }
                        }
                    }
                }
                div { button type="submit" { "Compare" } }
            }
        }
        @if d["previous_scan"].is_null() { p { "This scan is the first of its scope: its baseline." } } @else {
            p { "Compared with scan " a href={ "/ui/t/" (t) "/scans/" (seg(text(&d["previous_scan"]))) } { (text(&d["previous_scan"])) } "." }
            table { caption { "Score change" } thead { tr { th scope="col" { "Framework" } th scope="col" { "Before" } th scope="col" { "Now" } th scope="col" { "Change" } } }
                tbody { @for f in list("frameworks") { tr { td { (text(&f["framework"])) } td { (pct(f["previous"].as_f64())) } td { (pct(f["current"].as_f64())) }
                    td { (f["change"].as_f64().map(|c| format!("{c:+.1}")).unwrap_or("–".into())) } } } } }
            @for (key, label) in [("new_failures", "New failures"), ("resolved_failures", "Resolved failures"), ("exception_expired", "Exceptions lapsed")] {
                @let rows = list(key);
                h3 { (label) " (" (rows.len()) ")" }
                @if !rows.is_empty() { ul { @for f in rows.iter().take(100) {
                    li { code { (text(&f["check_id"])) } " " (text(&f["resource_id"])) " " span.muted { (text(&f["account_id"])) " " (text(&f["region"])) } }
                } } }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct FileQuery {
    framework: Option<String>,
}

/// A scan's file, as the API serves it (its audit entry and metering included).
pub(crate) async fn download(
    session: Session,
    Path((id, scan, file)): Path<(String, String, String)>,
    Query(q): Query<FileQuery>,
) -> Result<Response, UiError> {
    if !FILES.iter().any(|(name, ..)| *name == file) {
        return Err(UiError::Api {
            status: StatusCode::NOT_FOUND,
            code: "not_found".into(),
            message: format!("no file {file:?} of a scan"),
        });
    }
    let framework = q.framework.map(|f| format!("?framework={}", seg(&f))).unwrap_or_default();
    let uri = format!("/v1/tenants/{}/scans/{}/{file}{framework}", seg(&id), seg(&scan));
    pass_through(session.api.call(Method::GET, &uri, None, Body::empty()).await).await
}

/// A file answer of the API passed to the browser, or its error as a page.
pub(crate) async fn pass_through(response: Response) -> Result<Response, UiError> {
    if response.status().is_success() {
        Ok(response.into_response())
    } else {
        match crate::api::json::<Value>(response).await {
            Err(e) => Err(e),
            Ok(_) => Err(UiError::BadRequest("the API failed without saying why".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_scan_shows_its_batches_while_they_are_collected() {
        let shown = |event: &str, data: Value| progress(&json!({"progress": {"event": event, "data": data}})).into_string();
        let planned = shown("batches_planned", json!({"batches": 5, "accounts": 48, "batch_accounts": 10}));
        assert!(planned.contains("48 accounts split into 5 batches"), "{planned}");
        assert!(planned.contains(r#"value="0" max="5" aria-label="Batches stored""#), "{planned}");
        let stored = shown("batch_collected", json!({"batch": 3, "worker": "w2", "batches_done": 2, "batches_total": 5}));
        assert!(stored.contains("2 of 5 batches stored (the last by worker w2)"), "{stored}");
        assert!(stored.contains(r#"value="2" max="5""#), "{stored}");
        let evaluating =
            shown("account_evaluated", json!({"accounts_done": 1, "accounts_total": 48, "findings_so_far": 9, "failing_so_far": 2}));
        assert!(evaluating.contains(r#"aria-label="Accounts done""#) && evaluating.contains("1 of 48 accounts done"), "{evaluating}");
        assert!(shown("queued", json!({})).contains("Waiting for a worker"));
    }
}
