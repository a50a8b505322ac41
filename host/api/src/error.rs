//! The one error type of the API and its stable JSON shape:
//! `{"error": {"code": "not_found", "message": "..."}}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use securebase_store::StoreError;
use serde_json::json;

/// An error response.
#[derive(Debug, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct AppError {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine-readable code, stable across versions.
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// Seconds to wait, for 429.
    pub retry_after: Option<u64>,
}

impl AppError {
    /// An error with a status, a code and a message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after: None }
    }

    /// 400: the request is malformed or a field is wrong.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 404, worded the same whether the thing does not exist or is someone else's.
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("no {what} with id {id}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        // The cause goes to the log, not to the client: it may name internals.
        tracing::error!(error = %e, "storage error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the service could not complete the request; see its log")
    }
}

/// No route: names the routes beside the one asked for (same path but the last
/// segment), so a misspelt file name or action is answered with the right ones.
pub(crate) async fn not_found(uri: axum::http::Uri) -> AppError {
    let path = uri.path();
    let (parent, _) = path.rsplit_once('/').unwrap_or((path, ""));
    let mut siblings: Vec<&str> = crate::ROUTES
        .iter()
        .filter_map(|r| r.path.rsplit_once('/'))
        .filter(|(p, last)| !last.starts_with('{') && crate::routes::find_template(p, parent))
        .map(|(_, last)| last)
        .collect();
    siblings.dedup();
    let hint = if siblings.is_empty() { String::new() } else { format!("; expected one of: {}", siblings.join(", ")) };
    AppError::new(StatusCode::NOT_FOUND, "not_found", format!("no route for {path}{hint}"))
}

pub(crate) async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> AppError {
    AppError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", format!("{method} is not allowed on {}", uri.path()))
}

/// The body's bytes; too large is 413, a body that could not be read 400.
pub(crate) fn body_bytes(body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>) -> Result<axum::body::Bytes, AppError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the request body is larger than the service accepts")
        } else {
            AppError::bad_request(e.body_text())
        }
    })
}

/// Parses a JSON body into `T`, with serde's message (field, expected type, position).
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<T, AppError> {
    let bytes = body_bytes(body)?;
    if bytes.is_empty() {
        return Err(AppError::bad_request("the request needs a JSON body"));
    }
    // serde would read a struct from a JSON array too (field by position): bodies are objects.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b == b'[') {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            "request body: expected a JSON object, found an array",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." { String::new() } else { format!("field {path}: ") };
        AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", format!("request body: {at}{}", e.inner()))
    })
}

/// Maps a query-string rejection to a 400 naming the problem.
pub(crate) fn parse_query<T>(q: Result<axum::extract::Query<T>, axum::extract::rejection::QueryRejection>) -> Result<T, AppError> {
    q.map(|q| q.0).map_err(|e| AppError::bad_request(format!("query string: {}", e.body_text())))
}
