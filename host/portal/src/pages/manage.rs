//! What a `manage` key runs the tenant with: its schedules and webhook (settings), its
//! own plugins and frameworks (extensions), its usage and invoices. These pages read
//! and change through the API like every other, so the API alone decides what a key
//! may do: a page shown to another key by its URL still has its changes refused.

use super::forms::{CsrfForm, Field, Refused, button, fields_json, form, form_page, read_multipart};
use super::{items, num, seg, text, when};
use crate::UiError;
use crate::layout::{self, badge};
use crate::session::Session;
use axum::Form;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use securebase_store::KeyScope;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The schedule form.
const SCHEDULE_FIELDS: &[Field] = &[
    ("cron", "When (cron)", true, "text", "minute hour day-of-month month day-of-week, e.g. 0 2 * * *, or @daily"),
    ("timezone", "Time zone", false, "text", "an IANA zone such as Europe/Berlin (default UTC)"),
    ("source", "What to scan", true, "select:accounts|demo", "the tenant's AWS accounts, or the demo organization"),
];

/// The webhook form.
const WEBHOOK_FIELDS: &[Field] = &[
    ("url", "Receiver URL", true, "url", "http:// or https://; each delivery is signed with the secret shown once"),
    ("min_severity", "Notify new failures from", true, "select:high|critical|medium|low", "the lowest severity that notifies"),
];

/// The plugin upload form (a multipart form: the component is a file).
const PLUGIN_FIELDS: &[Field] = &[
    ("component", "Plugin component (.wasm)", true, "file:.wasm,application/wasm", "built with `securebase plugin build`"),
    ("signature", "Signature", false, "text", "the X-SecureBase-Signature of the file, when the tenant requires signed plugins"),
];

/// The framework upload form.
const FRAMEWORK_FIELDS: &[Field] = &[
    ("file", "Framework file (.toml)", true, "file:.toml,application/toml", "as `securebase frameworks check` accepts it"),
    ("replaces", "New version of", false, "text", "the id of one of the tenant's frameworks, to upload its next version"),
];

/// `/ui/t/{id}/settings`: schedules and the webhook.
pub(crate) async fn settings(session: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    settings_page(&session, &id, None, None).await
}

async fn settings_page(session: &Session, id: &str, refused: Option<Refused>, created: Option<Value>) -> Result<Response, UiError> {
    let t = seg(id);
    let schedules: Value = session.api.get(&format!("/v1/tenants/{t}/schedules")).await?;
    let webhook = match session.api.get::<Value>(&format!("/v1/tenants/{t}/webhook")).await {
        Ok(w) => Some(w),
        Err(UiError::Api { status, .. }) if status == StatusCode::NOT_FOUND => None,
        Err(e) => return Err(e),
    };
    let manage = session.can(KeyScope::Manage);
    let content = html! {
        section aria-labelledby="schedules" {
            h2 id="schedules" { "Scheduled scans" }
            @if items(&schedules).is_empty() { p { "None: scans run when someone starts them." } } @else {
                div.table-wrap { table.schedules {
                    thead { tr { th scope="col" { "Schedule" } th scope="col" { "When" } th scope="col" { "Scans" } th scope="col" { "Next run" }
                        th scope="col" { "Last run" } @if manage { th scope="col" { "Change" } } } }
                    tbody { @for s in items(&schedules) {
                        tr data-schedule=(text(&s["id"])) {
                            td { (text(&s["id"])) br; span.muted { "by " (text(&s["created_by"])) } }
                            td { code { (text(&s["cron"])) } " " (text(&s["timezone"])) }
                            td { (text(&s["source"])) }
                            td { (when(&s["next_run_at"])) }
                            td { (when(&s["last_run_at"])) @if let Some(scan) = s["last_scan_id"].as_str() {
                                br; a href={ "/ui/t/" (t) "/scans/" (seg(scan)) } { (scan) } } }
                            @if manage { td { (button(session, &format!("/ui/t/{t}/schedules/{}/delete", seg(text(&s["id"]))), "Delete", true)) } }
                        }
                    } }
                } }
            }
            @if manage {
                h3 { "Add a schedule" }
                (form(session, "schedule", &format!("/ui/t/{t}/schedules"), SCHEDULE_FIELDS, "Add schedule", refused.as_ref()))
            }
        }
        section aria-labelledby="webhook" {
            h2 id="webhook" { "Webhook" }
            @if let Some(c) = &created {
                div.notice role="status" {
                    p { "The webhook is set. Its signing secret is shown this once: keep it where the receiver verifies signatures." }
                    p { code data-secret { (text(&c["secret"])) } }
                    p.hint { (text(&c["secret_note"])) }
                }
            }
            @match &webhook {
                None => p { "None: finished scans and new failures notify nobody." }
                Some(w) => {
                    dl.counts.facts {
                        dt { "Receiver" } dd { code { (text(&w["url"])) } }
                        dt { "New failures from" } dd { (badge(text(&w["min_severity"]))) }
                        dt { "Set by" } dd { (text(&w["created_by"])) ", " (when(&w["created_at"])) }
                    }
                    @if manage { (button(session, &format!("/ui/t/{t}/webhook/delete"), "Remove the webhook", true)) }
                }
            }
            @if manage {
                h3 { @if webhook.is_some() { "Replace the webhook" } @else { "Set a webhook" } }
                (form(session, "webhook", &format!("/ui/t/{t}/webhook"), WEBHOOK_FIELDS, "Set webhook", refused.as_ref()))
            }
        }
    };
    Ok(form_page(refused.as_ref(), layout::page(session, Some(&t), "settings", "Settings", content)))
}

pub(crate) async fn create_schedule(
    session: Session,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, UiError> {
    session.check_csrf(values.get("csrf").map(String::as_str).unwrap_or_default())?;
    let body = fields_json(&values, SCHEDULE_FIELDS);
    match session.api.send(Method::POST, &format!("/v1/tenants/{}/schedules", seg(&id)), &body).await {
        Ok(_) => Ok(Redirect::to(&format!("/ui/t/{}/settings#schedules", seg(&id))).into_response()),
        Err(e) => settings_page(&session, &id, Some(Refused::of("schedule", e, values)?), None).await,
    }
}

pub(crate) async fn delete_schedule(
    session: Session,
    Path((id, schedule)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, UiError> {
    session.check_csrf(&f.csrf)?;
    session.api.send(Method::DELETE, &format!("/v1/tenants/{}/schedules/{}", seg(&id), seg(&schedule)), &Value::Null).await?;
    Ok(Redirect::to(&format!("/ui/t/{}/settings#schedules", seg(&id))))
}

pub(crate) async fn set_webhook(
    session: Session,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, UiError> {
    session.check_csrf(values.get("csrf").map(String::as_str).unwrap_or_default())?;
    let body = fields_json(&values, WEBHOOK_FIELDS);
    match session.api.send(Method::PUT, &format!("/v1/tenants/{}/webhook", seg(&id)), &body).await {
        // The secret is shown on this answer only (never stored by the portal, never redirected with).
        Ok(created) => settings_page(&session, &id, None, Some(created)).await,
        Err(e) => settings_page(&session, &id, Some(Refused::of("webhook", e, values)?), None).await,
    }
}

pub(crate) async fn delete_webhook(session: Session, Path(id): Path<String>, Form(f): Form<CsrfForm>) -> Result<Redirect, UiError> {
    session.check_csrf(&f.csrf)?;
    session.api.send(Method::DELETE, &format!("/v1/tenants/{}/webhook", seg(&id)), &Value::Null).await?;
    Ok(Redirect::to(&format!("/ui/t/{}/settings#webhook", seg(&id))))
}

/// `/ui/t/{id}/extensions`: the tenant's plugins (every version) and frameworks.
pub(crate) async fn extensions(session: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    extensions_page(&session, &id, None).await
}

async fn extensions_page(session: &Session, id: &str, refused: Option<Refused>) -> Result<Response, UiError> {
    let t = seg(id);
    let plugins: Value = session.api.get(&format!("/v1/tenants/{t}/plugins")).await?;
    let frameworks: Value = session.api.get(&format!("/v1/tenants/{t}/frameworks")).await?;
    let manage = session.can(KeyScope::Manage);
    let content = html! {
        p.hint { "The tenant's own plugins run in the same sandbox as the built-in ones, on this tenant's scans only; its frameworks score them." }
        section aria-labelledby="plugins" {
            h2 id="plugins" { "Plugins" }
            @if items(&plugins).is_empty() { p { "None: scans run the built-in catalogue." } } @else {
                div.table-wrap { table.plugins {
                    thead { tr { th scope="col" { "Plugin" } th scope="col" { "State" } th scope="col" { "Checks" } th scope="col" { "Contract" }
                        th scope="col" { "SHA-256" } th scope="col" { "Uploaded" } @if manage { th scope="col" { "Change" } } } }
                    tbody { @for p in items(&plugins) {
                        @let (name, version) = (text(&p["name"]), text(&p["version"]));
                        @let action = |what: &str| format!("/ui/t/{t}/plugins/{}/{what}?version={}", seg(name), seg(version));
                        tr data-plugin=(name) data-version=(version) {
                            td { (name) " " (version) br; span.muted { (p["size"].as_u64().unwrap_or(0)) " bytes" } }
                            td { @if p["running"] == true { (badge("running")) } @else if p["enabled"] == true { (badge("enabled")) } @else { (badge("disabled")) }
                                @if let Some(k) = p["signed_by"].as_str() { br; span.muted { "signed by " (k) } } }
                            td { details { summary { (p["checks"].as_array().map_or(0, Vec::len)) " checks" }
                                ul { @for c in p["checks"].as_array().map(Vec::as_slice).unwrap_or_default() {
                                    li { code { (text(&c["id"])) } " " (text(&c["title"])) " " (badge(text(&c["severity"]))) }
                                } } } }
                            td { code { (text(&p["contract"])) } }
                            td { code { (text(&p["sha256"]).get(..16).unwrap_or_default()) "…" } }
                            td { (text(&p["uploaded_by"])) br; (when(&p["created_at"])) }
                            @if manage { td {
                                @if p["enabled"] == true { (button(session, &action("disable"), "Disable", false)) }
                                @else { (button(session, &action("enable"), "Enable", false)) }
                                (button(session, &action("delete"), "Delete", true))
                            } }
                        }
                    } }
                } }
            }
            @if manage {
                h3 { "Upload a plugin" }
                (form(session, "plugin", &format!("/ui/t/{t}/plugins"), PLUGIN_FIELDS, "Upload plugin", refused.as_ref()))
            }
        }
        section aria-labelledby="frameworks" {
            h2 id="frameworks" { "Frameworks" }
            @if items(&frameworks).is_empty() { p { "None of the tenant's own: it is scored against the built-in frameworks." } } @else {
                div.table-wrap { table.tenant-frameworks {
                    thead { tr { th scope="col" { "Framework" } th scope="col" { "Version" } th scope="col" { "Requirements" } th scope="col" { "Manual" }
                        th scope="col" { "Uploaded" } @if manage { th scope="col" { "Change" } } } }
                    tbody { @for f in items(&frameworks) {
                        tr data-framework=(text(&f["id"])) {
                            td { a href={ "/ui/t/" (t) "/frameworks/" (seg(text(&f["id"]))) } { (text(&f["name"])) } br; span.muted { (text(&f["id"])) } }
                            td { (num(&f["version"])) }
                            td { (num(&f["requirements"])) }
                            td { (num(&f["manual"])) }
                            td { (text(&f["uploaded_by"])) br; (when(&f["created_at"])) }
                            @if manage { td { (button(session, &format!("/ui/t/{t}/frameworks/{}/delete", seg(text(&f["id"]))), "Delete", true)) } }
                        }
                    } }
                } }
            }
            @if manage {
                h3 { "Upload a framework" }
                (form(session, "framework", &format!("/ui/t/{t}/frameworks"), FRAMEWORK_FIELDS, "Upload framework", refused.as_ref()))
            }
        }
    };
    Ok(form_page(refused.as_ref(), layout::page(session, Some(&t), "extensions", "Plugins & frameworks", content)))
}

/// The one file of an upload form, or which field is missing.
fn one_file(files: Vec<(String, String, axum::body::Bytes)>, field: &str) -> Result<axum::body::Bytes, String> {
    files.into_iter().find(|f| f.0 == field).map(|f| f.2).ok_or_else(|| format!("field {field}: choose a file to upload"))
}

pub(crate) async fn upload_plugin(session: Session, Path(id): Path<String>, multipart: Multipart) -> Result<Response, UiError> {
    let (values, files) = read_multipart(multipart, &["component"]).await?;
    session.check_csrf(values.get("csrf").map(String::as_str).unwrap_or_default())?;
    let wasm = match one_file(files, "component") {
        Ok(w) => w,
        Err(message) => return extensions_page(&session, &id, Some(Refused { form: "plugin", message, values })).await,
    };
    let mut headers = vec![("content-type", securebase_api::routes::WASM)];
    let signature = values.get("signature").map(|s| s.trim()).unwrap_or_default();
    if !signature.is_empty() {
        headers.push(("x-securebase-signature", signature));
    }
    let answer = session.api.call_with(Method::POST, &format!("/v1/tenants/{}/plugins", seg(&id)), &headers, Body::from(wasm)).await;
    match crate::api::json::<Value>(answer).await {
        Ok(_) => Ok(Redirect::to(&format!("/ui/t/{}/extensions#plugins", seg(&id))).into_response()),
        Err(e) => extensions_page(&session, &id, Some(Refused::of("plugin", e, values)?)).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct VersionQuery {
    version: Option<String>,
}

/// Enable, disable or delete a plugin version.
pub(crate) async fn change_plugin(
    session: Session,
    Path((id, plugin, action)): Path<(String, String, String)>,
    Query(q): Query<VersionQuery>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, UiError> {
    session.check_csrf(&f.csrf)?;
    let uri = format!("/v1/tenants/{}/plugins/{}", seg(&id), seg(&plugin));
    let version = q.version.filter(|v| !v.is_empty());
    let result = match action.as_str() {
        "enable" | "disable" => {
            let mut body = json!({ "enabled": action == "enable" });
            if let Some(v) = &version {
                body["version"] = json!(v);
            }
            session.api.send(Method::PATCH, &uri, &body).await
        }
        "delete" => {
            let uri = match &version {
                Some(v) => format!("{uri}?version={}", seg(v)),
                None => uri,
            };
            session.api.send(Method::DELETE, &uri, &Value::Null).await
        }
        other => return Err(UiError::BadRequest(format!("a plugin can be enabled, disabled or deleted, not {other:?}"))),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/ui/t/{}/extensions#plugins", seg(&id))).into_response()),
        Err(e) => extensions_page(&session, &id, Some(Refused::of("plugin", e, HashMap::new())?)).await,
    }
}

pub(crate) async fn upload_framework(session: Session, Path(id): Path<String>, multipart: Multipart) -> Result<Response, UiError> {
    let (values, files) = read_multipart(multipart, &["file"]).await?;
    session.check_csrf(values.get("csrf").map(String::as_str).unwrap_or_default())?;
    let toml = match one_file(files, "file") {
        Ok(f) => f,
        Err(message) => return extensions_page(&session, &id, Some(Refused { form: "framework", message, values })).await,
    };
    let replaces = values.get("replaces").map(|s| s.trim()).unwrap_or_default();
    let (method, uri) = if replaces.is_empty() {
        (Method::POST, format!("/v1/tenants/{}/frameworks", seg(&id)))
    } else {
        (Method::PUT, format!("/v1/tenants/{}/frameworks/{}", seg(&id), seg(replaces)))
    };
    let answer = session.api.call_with(method, &uri, &[("content-type", securebase_api::routes::TOML)], Body::from(toml)).await;
    match crate::api::json::<Value>(answer).await {
        Ok(_) => Ok(Redirect::to(&format!("/ui/t/{}/extensions#frameworks", seg(&id))).into_response()),
        Err(e) => extensions_page(&session, &id, Some(Refused::of("framework", e, values)?)).await,
    }
}

pub(crate) async fn delete_framework(
    session: Session,
    Path((id, framework)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, UiError> {
    session.check_csrf(&f.csrf)?;
    let uri = format!("/v1/tenants/{}/frameworks/{}", seg(&id), seg(&framework));
    match session.api.send(Method::DELETE, &uri, &Value::Null).await {
        Ok(_) => Ok(Redirect::to(&format!("/ui/t/{}/extensions#frameworks", seg(&id))).into_response()),
        Err(e) => extensions_page(&session, &id, Some(Refused::of("framework", e, HashMap::new())?)).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct MonthQuery {
    month: Option<String>,
}

/// This month and the `n - 1` before it, newest first, as `YYYY-MM`.
fn recent_months(n: usize) -> Vec<String> {
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut month = today.first_of_month();
    let mut out = vec![];
    for _ in 0..n {
        out.push(month.strftime("%Y-%m").to_string());
        month = month.checked_sub(jiff::Span::new().months(1)).unwrap_or(month);
    }
    out
}

/// An invoice's lines and totals.
fn invoice_table(invoice: &Value) -> Markup {
    let lines = invoice["lines"].as_array().map(Vec::as_slice).unwrap_or_default();
    html! {
        div.table-wrap { table.invoice {
            thead { tr { th scope="col" { "Item" } th scope="col" { "Tier" } th scope="col" { "Quantity" } th scope="col" { "Unit price" } th scope="col" { "Amount" } } }
            tbody {
                @if lines.is_empty() { tr { td colspan="5" { "Nothing billable." } } }
                @for l in lines {
                    tr { td { (text(&l["description"])) } td { (text(&l["tier"])) } td { (num(&l["quantity"])) } td { (text(&l["unit_price"])) } td { (text(&l["amount"])) } }
                }
            }
            tfoot {
                @for (label, field) in [("Subtotal", "subtotal"), ("Discount", "discount"), ("Tax", "tax"), ("Total", "total")] {
                    tr { th scope="row" colspan="4" { (label) } td data-total=(field) { (text(&invoice[field])) " " (text(&invoice["currency"])) } }
                }
            }
        } }
    }
}

/// `/ui/t/{id}/usage?month=YYYY-MM`: what the tenant used and what it costs so far.
pub(crate) async fn usage(session: Session, Path(id): Path<String>, Query(q): Query<MonthQuery>) -> Result<Response, UiError> {
    let t = seg(&id);
    let months = recent_months(12);
    let month = q.month.filter(|m| !m.is_empty()).unwrap_or_else(|| months[0].clone());
    let usage: Value = session.api.get(&format!("/v1/tenants/{t}/usage?month={}", seg(&month))).await?;
    let content = html! {
        form.filters method="get" {
            div { label for="month" { "Month" } input id="month" name="month" type="month" value=(month); }
            div { button type="submit" { "Show" } }
        }
        h2 { "Usage in " (month) }
        div.table-wrap { table.usage {
            thead { tr { th scope="col" { "Metered" } th scope="col" { "Events" } th scope="col" { "Quantity" } th scope="col" { "Billable" } th scope="col" { "Cost" } } }
            tbody { @for k in usage["totals"].as_array().map(Vec::as_slice).unwrap_or_default() {
                tr data-kind=(text(&k["kind"])) { td { (text(&k["kind"]).replace('_', " ")) } td { (num(&k["events"])) } td { (num(&k["quantity"])) }
                    td { (num(&k["billable_quantity"])) } td { (text(&k["cost"])) " " (text(&usage["currency"])) } }
            } }
        } }
        h2 { "Invoice estimated so far" }
        (invoice_table(&usage["estimated_invoice"]))
        h2 { "Invoices" }
        ul { @for m in &months { li { a href={ "/ui/t/" (t) "/invoices/" (m) } { (m) } } } }
    };
    Ok(layout::page(&session, Some(&t), "usage", "Usage & invoices", content).into_response())
}

/// `/ui/t/{id}/invoices/{month}`: one month's invoice (issued, draft or open).
pub(crate) async fn invoice(session: Session, Path((id, month)): Path<(String, String)>) -> Result<Response, UiError> {
    let t = seg(&id);
    let invoice: Value = session.api.get(&format!("/v1/tenants/{t}/invoices/{}", seg(&month))).await?;
    let content = html! {
        dl.counts.facts {
            dt { "Status" } dd { (badge(text(&invoice["status"]))) }
            dt { "Issued" } dd { (when(&invoice["issued_at"])) }
        }
        (invoice_table(&invoice))
        p { a href={ "/ui/t/" (t) "/usage?month=" (seg(&month)) } { "Usage in " (month) } }
    };
    Ok(layout::page(&session, Some(&t), "usage", &format!("Invoice {month}"), content).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_months_step_back_across_a_year() {
        let months = recent_months(14);
        assert_eq!(months.len(), 14);
        assert!(months.iter().all(|m| m.len() == 7 && m.as_bytes()[4] == b'-'), "{months:?}");
        // Newest first, each one month before the last, twelve apart across a year.
        assert!(months.windows(2).all(|w| w[0] > w[1]), "{months:?}");
        assert_eq!(months[0][5..], months[12][5..]);
        assert_eq!(months[0][..4].parse::<u32>().unwrap(), months[12][..4].parse::<u32>().unwrap() + 1);
    }
}
