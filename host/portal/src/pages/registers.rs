//! The tenant's registers: exceptions (accepted risks) and attestations (evidence for
//! manual requirements). Anyone signed in reads them; a `manage` key also gets the
//! forms that create, expire and delete them, and the API refuses those changes to any
//! other key whatever the browser sends.

use super::{items, seg, text};
use crate::UiError;
use crate::layout::{self, badge};
use crate::session::Session;
use axum::Form;
use axum::body::Body;
use axum::extract::{Multipart, Path};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use securebase_store::KeyScope;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The fields of the exception form: name, label, whether required, input type, hint.
const EXCEPTION_FIELDS: &[Field] = &[
    ("check", "Check", true, "text", "a check id, or * for every check"),
    ("account", "Account", false, "text", "only this account (twelve digits)"),
    ("region", "Region", false, "text", "only this region (global for global resources)"),
    ("resource", "Resource", false, "text", "only resources whose id or ARN matches this glob"),
    ("justification", "Justification", true, "textarea", "why the risk is accepted"),
    ("approved_by", "Approved by", true, "text", "who accepted it"),
    ("expires", "Expires", true, "date", "the last day it applies, at most 366 days ahead"),
    ("ticket", "Ticket", false, "text", "a change or risk ticket"),
];

/// The fields of the attestation form (besides the evidence files).
const ATTESTATION_FIELDS: &[Field] = &[
    ("framework", "Framework", true, "text", "a framework id, e.g. soc2"),
    ("requirement", "Requirement", true, "text", "a manual requirement of it"),
    ("statement", "Statement", true, "textarea", "what is attested"),
    ("attested_by", "Attested by", true, "text", "who attests it"),
    ("valid_from", "Valid from", true, "date", ""),
    ("valid_until", "Valid until", true, "date", ""),
    ("evidence", "Evidence files", false, "files", "documents, screenshots or exports that show it"),
];

/// Today, UTC, as `YYYY-MM-DD`.
pub(crate) fn today() -> String {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date().to_string()
}

/// A form field: name, label, whether required, input type (`text`, `date`, `url`,
/// `textarea`, `select:a|b|c`, `file:<accept>`, `files` for several), hint.
pub(crate) type Field = (&'static str, &'static str, bool, &'static str, &'static str);

/// A form of `fields`, filled with `values` (what was sent, when the API refused it).
pub(crate) fn form(
    session: &Session,
    action: &str,
    fields: &[Field],
    values: &HashMap<String, String>,
    multipart: bool,
    submit: &str,
) -> Markup {
    html! {
        form.stack method="post" action=(action) enctype=[multipart.then_some("multipart/form-data")] {
            input type="hidden" name="csrf" value=(session.csrf());
            @for (name, label, required, kind, hint) in fields {
                @let value = values.get(*name).map(String::as_str).unwrap_or_default();
                @let hint_id = format!("{name}-hint");
                div {
                    label for=(name) { (label) @if *required { " (required)" } }
                    @if *kind == "textarea" {
                        textarea id=(name) name=(name) rows="3" required[*required] aria-describedby=[(!hint.is_empty()).then_some(&hint_id)] { (value) }
                    } @else if let Some(options) = kind.strip_prefix("select:") {
                        select id=(name) name=(name) aria-describedby=[(!hint.is_empty()).then_some(&hint_id)] {
                            @for option in options.split('|') { option value=(option) selected[value == option] { (option) } }
                        }
                    } @else if let Some(accept) = kind.strip_prefix("file:") {
                        input id=(name) name=(name) type="file" accept=(accept) required[*required] aria-describedby=[(!hint.is_empty()).then_some(&hint_id)];
                    } @else if *kind == "files" {
                        input id=(name) name=(name) type="file" multiple aria-describedby=[(!hint.is_empty()).then_some(&hint_id)];
                    } @else {
                        input id=(name) name=(name) type=(kind) value=(value) required[*required] aria-describedby=[(!hint.is_empty()).then_some(&hint_id)];
                    }
                    @if !hint.is_empty() { span.hint id=(hint_id) { (hint) } }
                }
            }
            div { button type="submit" { (submit) } }
        }
    }
}

/// A small form of one button that posts to `action`.
pub(crate) fn button(session: &Session, action: &str, label: &str, danger: bool) -> Markup {
    html! {
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(session.csrf());
            button.danger[danger] type="submit" { (label) }
        }
    }
}

/// Exceptions as a table, with expire and delete buttons for a `manage` key.
pub(crate) fn exception_table(session: &Session, t: &str, exceptions: &[&Value]) -> Markup {
    let manage = session.can(KeyScope::Manage);
    html! {
        @if exceptions.is_empty() { p { "None." } } @else {
            div.table-wrap { table.exceptions {
                thead { tr { th scope="col" { "Exception" } th scope="col" { "State" } th scope="col" { "Applies to" } th scope="col" { "Justification" }
                    th scope="col" { "Approved by" } th scope="col" { "Expires" } @if manage { th scope="col" { "Change" } } } }
                tbody { @for e in exceptions {
                    @let id = seg(text(&e["id"]));
                    tr data-exception=(text(&e["id"])) {
                        td { (text(&e["id"])) }
                        td { (badge(text(&e["state"]))) }
                        td { code { (text(&e["check"])) }
                            @for k in ["account", "region", "resource"] { @if let Some(v) = e[k].as_str() { br; (k) " " (v) } } }
                        td { (text(&e["justification"])) }
                        td { (text(&e["approved_by"])) }
                        td { (text(&e["expires"])) }
                        @if manage { td { @if text(&e["state"]) == "active" {
                            (button(session, &format!("/ui/t/{t}/exceptions/{id}/expire"), "Expire today", false))
                            (button(session, &format!("/ui/t/{t}/exceptions/{id}/delete"), "Delete", true))
                        } } }
                    }
                } }
            } }
        }
    }
}

/// Attestations as a table with links to their evidence files.
pub(crate) fn attestation_table(session: &Session, t: &str, attestations: &[&Value]) -> Markup {
    let manage = session.can(KeyScope::Manage);
    html! {
        @if attestations.is_empty() { p { "None." } } @else {
            div.table-wrap { table.attestations {
                thead { tr { th scope="col" { "Requirement" } th scope="col" { "State" } th scope="col" { "Statement" } th scope="col" { "Attested by" }
                    th scope="col" { "Valid" } th scope="col" { "Evidence" } @if manage { th scope="col" { "Change" } } } }
                tbody { @for a in attestations {
                    @let id = seg(text(&a["id"]));
                    tr data-attestation=(text(&a["id"])) {
                        td { (text(&a["framework"])) " " (text(&a["requirement"])) }
                        td { (badge(text(&a["state"]))) }
                        td { (text(&a["statement"])) }
                        td { (text(&a["attested_by"])) }
                        td { (text(&a["valid_from"])) " to " (text(&a["valid_until"])) }
                        td { ul { @for f in a["evidence"].as_array().map(Vec::as_slice).unwrap_or_default() {
                            li { a href={ "/ui/t/" (t) "/attestations/" (id) "/evidence/" (seg(text(&f["sha256"]))) } download=(text(&f["name"])) { (text(&f["name"])) }
                                " " span.muted { (f["size"].as_u64().unwrap_or(0)) " bytes, SHA-256 " code { (text(&f["sha256"]).get(..12).unwrap_or_default()) "…" } } }
                        } } }
                        @if manage { td { @if text(&a["state"]) != "deleted" {
                            (button(session, &format!("/ui/t/{t}/attestations/{id}/delete"), "Delete", true))
                        } } }
                    }
                } }
            } }
        }
    }
}

async fn exceptions_page(
    session: &Session,
    id: &str,
    error: Option<String>,
    values: &HashMap<String, String>,
) -> Result<Response, UiError> {
    let t = seg(id);
    let list: Value = session.api.get(&format!("/v1/tenants/{t}/exceptions")).await?;
    let list: Vec<&Value> = items(&list).iter().collect();
    let content = html! {
        p.hint { "An exception accepts the risk of failing findings: they count as excepted, not failing, until it expires." }
        (exception_table(session, &t, &list))
        @if session.can(KeyScope::Manage) {
            h2 id="new" { "Record an exception" }
            @if let Some(e) = &error { p.error role="alert" { (e) } }
            (form(session, &format!("/ui/t/{t}/exceptions"), EXCEPTION_FIELDS, values, false, "Record exception"))
        }
    };
    let status = if error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    Ok((status, layout::page(session, Some(&t), "exceptions", "Exceptions", content)).into_response())
}

pub(crate) async fn exceptions(session: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    exceptions_page(&session, &id, None, &HashMap::new()).await
}

/// The non-empty fields of a form as a JSON object (the CSRF token left out).
pub(crate) fn fields_json(form: &HashMap<String, String>, fields: &[Field]) -> Value {
    let mut body = Map::new();
    for (name, ..) in fields {
        if let Some(v) = form.get(*name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            body.insert((*name).into(), Value::String(v.into()));
        }
    }
    Value::Object(body)
}

pub(crate) async fn create_exception(
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, UiError> {
    session.check_csrf(form.get("csrf").map(String::as_str).unwrap_or_default())?;
    let body = fields_json(&form, EXCEPTION_FIELDS);
    match session.api.send(Method::POST, &format!("/v1/tenants/{}/exceptions", seg(&id)), &body).await {
        Ok(_) => Ok(Redirect::to(&format!("/ui/t/{}/exceptions", seg(&id))).into_response()),
        Err(e) => exceptions_page(&session, &id, Some(refusal(e)?), &form).await,
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
}

pub(crate) async fn expire_exception(
    session: Session,
    Path((id, exception)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Redirect, UiError> {
    session.check_csrf(&form.csrf)?;
    let uri = format!("/v1/tenants/{}/exceptions/{}", seg(&id), seg(&exception));
    session.api.send(Method::PATCH, &uri, &serde_json::json!({ "expires": today() })).await?;
    Ok(Redirect::to(&format!("/ui/t/{}/exceptions", seg(&id))))
}

pub(crate) async fn delete_exception(
    session: Session,
    Path((id, exception)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Redirect, UiError> {
    session.check_csrf(&form.csrf)?;
    let uri = format!("/v1/tenants/{}/exceptions/{}", seg(&id), seg(&exception));
    session.api.send(Method::DELETE, &uri, &Value::Null).await?;
    Ok(Redirect::to(&format!("/ui/t/{}/exceptions", seg(&id))))
}

async fn attestations_page(
    session: &Session,
    id: &str,
    error: Option<String>,
    values: &HashMap<String, String>,
) -> Result<Response, UiError> {
    let t = seg(id);
    let list: Value = session.api.get(&format!("/v1/tenants/{t}/attestations")).await?;
    let list: Vec<&Value> = items(&list).iter().collect();
    let content = html! {
        p.hint { "An attestation evidences a manual requirement for a period: while valid, the requirement counts as attested." }
        (attestation_table(session, &t, &list))
        @if session.can(KeyScope::Manage) {
            h2 id="new" { "Record an attestation" }
            @if let Some(e) = &error { p.error role="alert" { (e) } }
            (form(session, &format!("/ui/t/{t}/attestations"), ATTESTATION_FIELDS, values, true, "Record attestation"))
        }
    };
    let status = if error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    Ok((status, layout::page(session, Some(&t), "attestations", "Attestations", content)).into_response())
}

pub(crate) async fn attestations(session: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    attestations_page(&session, &id, None, &HashMap::new()).await
}

/// Quoted for a multipart header (a file name from the browser).
fn quoted(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() && *c != '"' && *c != '\\').collect()
}

/// A multipart form's text fields, and its files as (field, file name, bytes).
pub(crate) type Upload = (HashMap<String, String>, Vec<(String, String, axum::body::Bytes)>);

/// Reads a multipart form whose fields named in `file_fields` are files.
pub(crate) async fn read_multipart(mut multipart: Multipart, file_fields: &[&str]) -> Result<Upload, UiError> {
    let (mut values, mut files) = (HashMap::new(), vec![]);
    while let Some(part) = multipart.next_field().await.map_err(|e| UiError::BadRequest(format!("the form: {e}")))? {
        let name = part.name().unwrap_or_default().to_string();
        if file_fields.contains(&name.as_str()) {
            let file_name = part.file_name().unwrap_or_default().to_string();
            let bytes = part.bytes().await.map_err(|e| UiError::BadRequest(format!("field {name}, file {file_name}: {e}")))?;
            // A file input left empty still sends one part, without a name or bytes.
            if !file_name.is_empty() || !bytes.is_empty() {
                files.push((name, file_name, bytes));
            }
        } else {
            let text = part.text().await.map_err(|e| UiError::BadRequest(format!("field {name}: {e}")))?;
            values.insert(name, text);
        }
    }
    Ok((values, files))
}

/// What the API said about what was entered, to show on the form filled as it was
/// sent; any other failure (not allowed, not found, the service's own) is the error.
pub(crate) fn refusal(e: UiError) -> Result<String, UiError> {
    match e {
        UiError::Api { status, message, .. }
            if status.is_client_error() && status != axum::http::StatusCode::FORBIDDEN && status != axum::http::StatusCode::NOT_FOUND =>
        {
            Ok(message)
        }
        e => Err(e),
    }
}

pub(crate) async fn create_attestation(session: Session, Path(id): Path<String>, multipart: Multipart) -> Result<Response, UiError> {
    let (values, files) = read_multipart(multipart, &["evidence"]).await?;
    session.check_csrf(values.get("csrf").map(String::as_str).unwrap_or_default())?;
    let boundary = format!("securebase-portal-{}", &session.csrf()[..16]);
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"attestation\"\r\nContent-Type: application/json\r\n\r\n{}\r\n",
        fields_json(&values, ATTESTATION_FIELDS)
    )
    .into_bytes();
    for (_, name, bytes) in &files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                quoted(name)
            )
            .bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    let uri = format!("/v1/tenants/{}/attestations", seg(&id));
    let answer = session.api.call(Method::POST, &uri, Some(&format!("multipart/form-data; boundary={boundary}")), Body::from(body)).await;
    match crate::api::json::<Value>(answer).await {
        Ok(_) => Ok(Redirect::to(&format!("/ui/t/{}/attestations", seg(&id))).into_response()),
        Err(e) => attestations_page(&session, &id, Some(refusal(e)?), &values).await,
    }
}

pub(crate) async fn delete_attestation(
    session: Session,
    Path((id, attestation)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Redirect, UiError> {
    session.check_csrf(&form.csrf)?;
    let uri = format!("/v1/tenants/{}/attestations/{}", seg(&id), seg(&attestation));
    session.api.send(Method::DELETE, &uri, &Value::Null).await?;
    Ok(Redirect::to(&format!("/ui/t/{}/attestations", seg(&id))))
}

/// An evidence file, as the API serves it.
pub(crate) async fn evidence(session: Session, Path((id, attestation, sha)): Path<(String, String, String)>) -> Result<Response, UiError> {
    let uri = format!("/v1/tenants/{}/attestations/{}/evidence/{}", seg(&id), seg(&attestation), seg(&sha));
    super::scans::pass_through(session.api.call(Method::GET, &uri, None, Body::empty()).await).await
}
