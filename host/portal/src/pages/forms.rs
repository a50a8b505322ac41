//! The portal's forms, shared by every page that changes something: fields declared
//! as data and rendered with labels and hints, the CSRF token, multipart uploads read
//! back, and a refusal by the API shown on the form it belongs to, filled as it was sent.

use crate::UiError;
use crate::session::Session;
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A form field: name, label, whether required, input type (`text`, `date`, `url`,
/// `textarea`, `select:a|b|c`, `file:<accept>`, `files` for several), hint.
pub(crate) type Field = (&'static str, &'static str, bool, &'static str, &'static str);

/// A form named `name` of `fields` (multipart when one is a file); when `refused` is
/// this form's refusal, it shows the API's reason and is filled as it was sent.
pub(crate) fn form(session: &Session, name: &str, action: &str, fields: &[Field], submit: &str, refused: Option<&Refused>) -> Markup {
    let refused = refused.filter(|r| r.form == name);
    let empty = HashMap::new();
    let values = refused.map_or(&empty, |r| &r.values);
    let multipart = fields.iter().any(|f| f.3.starts_with("file"));
    html! {
        @if let Some(r) = refused { p.error role="alert" { (r.message) } }
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

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
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
fn refusal(e: UiError) -> Result<String, UiError> {
    match e {
        UiError::Api { status, message, .. }
            if status.is_client_error() && status != StatusCode::FORBIDDEN && status != StatusCode::NOT_FOUND =>
        {
            Ok(message)
        }
        e => Err(e),
    }
}

/// What the API refused of form `form`, with what was entered in it.
pub(crate) struct Refused {
    /// The form's name, as [`form`] is given it.
    pub(crate) form: &'static str,
    /// The API's reason.
    pub(crate) message: String,
    /// The fields as they were sent.
    pub(crate) values: HashMap<String, String>,
}

impl Refused {
    /// `e` as a refusal of what was entered in `form`; any other failure stays the error.
    pub(crate) fn of(form: &'static str, e: UiError, values: HashMap<String, String>) -> Result<Self, UiError> {
        Ok(Self { form, message: refusal(e)?, values })
    }
}

/// A page of forms as the answer: 422 when one of them was refused, so the browser's
/// history and any client see that nothing was done.
pub(crate) fn form_page(refused: Option<&Refused>, page: Html<String>) -> Response {
    let status = if refused.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, page).into_response()
}
