//! What a page answers when it cannot be shown: the API's refusal as the API gave it
//! (status, code, message), on a page of its own.

use crate::layout;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;

/// Why a page cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    /// The API refused or failed the call a page made.
    #[error("{status} {code}: {message}")]
    Api {
        /// Its status.
        status: StatusCode,
        /// Its stable error code.
        code: String,
        /// Its message.
        message: String,
    },
    /// A form whose CSRF token is missing or wrong.
    #[error("the form's CSRF token is missing or does not belong to this session")]
    Csrf,
    /// The portal's own request was not understood.
    #[error("{0}")]
    BadRequest(String),
    /// The session store failed.
    #[error(transparent)]
    Store(#[from] securebase_store::StoreError),
}

impl UiError {
    /// The HTTP status of the page.
    pub fn status(&self) -> StatusCode {
        match self {
            UiError::Api { status, .. } => *status,
            UiError::Csrf => StatusCode::FORBIDDEN,
            UiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            UiError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "portal page failed");
        }
        let (title, detail) = match &self {
            UiError::Api { status, message, .. } if *status == StatusCode::NOT_FOUND => ("Not found", message.clone()),
            UiError::Api { status, message, .. } if *status == StatusCode::FORBIDDEN => ("Not allowed", message.clone()),
            UiError::Store(_) => ("Something went wrong", "the service could not complete the request; see its log".into()),
            other => ("Cannot do that", other.to_string()),
        };
        let body = layout::bare(
            title,
            html! {
                h1 { (title) }
                p.error role="alert" { (detail) }
                p { a href="/ui/" { "Back to the overview" } }
            },
        );
        (status, body).into_response()
    }
}
