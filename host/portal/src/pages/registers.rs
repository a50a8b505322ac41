//! The tenant's registers: exceptions (accepted risks) and attestations (evidence for
//! manual requirements). Anyone signed in reads them; a `manage` key also gets the
//! forms that create, expire and delete them, and the API refuses those changes to any
//! other key whatever the browser sends.

use super::forms::{CsrfForm, Field, Refused, button, fields_json, form, form_page, read_multipart};
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
use serde_json::Value;
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

/// One of the registers: where the API keeps it, what its page says, and its form.
struct Register {
    /// Path under the tenant, in the API (`/v1/tenants/{id}/...`) and the portal (`/ui/t/{id}/...`).
    path: &'static str,
    title: &'static str,
    hint: &'static str,
    /// The form's name (for a refusal) and heading, its fields and its button.
    form: &'static str,
    heading: &'static str,
    fields: &'static [Field],
    submit: &'static str,
    table: fn(&Session, &str, &[&Value]) -> Markup,
}

const EXCEPTIONS: Register = Register {
    path: "exceptions",
    title: "Exceptions",
    hint: "An exception accepts the risk of failing findings: they count as excepted, not failing, until it expires.",
    form: "exception",
    heading: "Record an exception",
    fields: EXCEPTION_FIELDS,
    submit: "Record exception",
    table: exception_table,
};

const ATTESTATIONS: Register = Register {
    path: "attestations",
    title: "Attestations",
    hint: "An attestation evidences a manual requirement for a period: while valid, the requirement counts as attested.",
    form: "attestation",
    heading: "Record an attestation",
    fields: ATTESTATION_FIELDS,
    submit: "Record attestation",
    table: attestation_table,
};

/// A register's page: its table, and for a `manage` key its form (filled as sent, with
/// the API's reason, when `refused`).
async fn register_page(session: &Session, id: &str, register: &Register, refused: Option<Refused>) -> Result<Response, UiError> {
    let t = seg(id);
    let list: Value = session.api.get(&format!("/v1/tenants/{t}/{}", register.path)).await?;
    let list: Vec<&Value> = items(&list).iter().collect();
    let content = html! {
        p.hint { (register.hint) }
        ((register.table)(session, &t, &list))
        @if session.can(KeyScope::Manage) {
            h2 id="new" { (register.heading) }
            (form(session, register.form, &format!("/ui/t/{t}/{}", register.path), register.fields, register.submit, refused.as_ref()))
        }
    };
    Ok(form_page(refused.as_ref(), layout::page(session, Some(&t), register.path, register.title, content)))
}

pub(crate) async fn exceptions(session: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    register_page(&session, &id, &EXCEPTIONS, None).await
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
        Err(e) => register_page(&session, &id, &EXCEPTIONS, Some(Refused::of(EXCEPTIONS.form, e, form)?)).await,
    }
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

pub(crate) async fn attestations(session: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    register_page(&session, &id, &ATTESTATIONS, None).await
}

/// Quoted for a multipart header (a file name from the browser).
fn quoted(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() && *c != '"' && *c != '\\').collect()
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
        Err(e) => register_page(&session, &id, &ATTESTATIONS, Some(Refused::of(ATTESTATIONS.form, e, values)?)).await,
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
