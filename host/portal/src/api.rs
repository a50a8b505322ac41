//! The API, called in-process on a session's behalf: each call is a request to the
//! API's own router carrying the session's [`Delegated`] principal and the browser's
//! address, so the API authorises, audits and meters it as the key's own request.

use crate::UiError;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use securebase_api::auth::Delegated;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::net::SocketAddr;
use tower::ServiceExt;

/// Largest API answer a page reads (a scan document of many findings is the largest).
const ANSWER_LIMIT: usize = 512 << 20;

/// The API as one session sees it.
#[derive(Clone)]
pub struct Api {
    router: Router,
    who: Delegated,
    source: Option<ConnectInfo<SocketAddr>>,
}

impl Api {
    /// Calls on behalf of `who`, from `source` (the browser's address, for the audit log).
    pub fn new(router: Router, who: Delegated, source: Option<ConnectInfo<SocketAddr>>) -> Self {
        Self { router, who, source }
    }

    /// Sends one request and returns the API's answer as it is.
    pub async fn call(&self, method: Method, uri: &str, content_type: Option<&str>, body: Body) -> Response {
        let headers: Vec<(&str, &str)> = content_type.map(|ct| (header::CONTENT_TYPE.as_str(), ct)).into_iter().collect();
        self.call_with(method, uri, &headers, body).await
    }

    /// Sends one request with these headers (an upload's media type and signature).
    pub async fn call_with(&self, method: Method, uri: &str, headers: &[(&str, &str)], body: Body) -> Response {
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        // What a browser sent can make a bad header value: refused, never a panic.
        let mut request = match builder.body(body) {
            Ok(r) => r,
            Err(e) => {
                let error =
                    serde_json::json!({ "error": { "code": "bad_request", "message": format!("the request cannot be sent: {e}") } });
                return (StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
            }
        };
        request.extensions_mut().insert(self.who.clone());
        if let Some(source) = self.source {
            request.extensions_mut().insert(source);
        }
        match self.router.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// `GET uri`, its JSON answer read as `T`; a refusal is the API's error.
    pub async fn get<T: DeserializeOwned>(&self, uri: &str) -> Result<T, UiError> {
        json(self.call(Method::GET, uri, None, Body::empty()).await).await
    }

    /// A change with a JSON body; its JSON answer (`Null` for 204).
    pub async fn send(&self, method: Method, uri: &str, body: &Value) -> Result<Value, UiError> {
        let response = self.call(method, uri, Some("application/json"), Body::from(body.to_string())).await;
        json(response).await
    }
}

/// The answer's JSON, or the API's error as a [`UiError::Api`].
pub async fn json<T: DeserializeOwned>(response: Response) -> Result<T, UiError> {
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), ANSWER_LIMIT)
        .await
        .map_err(|e| UiError::BadRequest(format!("reading the API's answer: {e}")))?;
    if !status.is_success() {
        let error: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let field = |k: &str| error["error"][k].as_str().or(error[k].as_str()).unwrap_or_default().to_string();
        let (code, message) = (field("code"), field("message"));
        return Err(UiError::Api {
            status,
            code: if code.is_empty() { status.as_str().into() } else { code },
            message: if message.is_empty() { String::from_utf8_lossy(&bytes).into_owned() } else { message },
        });
    }
    let bytes = if status == StatusCode::NO_CONTENT || bytes.is_empty() { &b"null"[..] } else { &bytes[..] };
    serde_json::from_slice(bytes).map_err(|e| UiError::BadRequest(format!("the API's answer is not what the portal reads: {e}")))
}
