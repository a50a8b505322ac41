//! The web portal: server-rendered pages under `/ui/` for the people who use the
//! service in a browser (auditors with a read key, security teams with a manage key,
//! operators with an admin key).
//!
//! The portal is a client of the API, in-process: a page is rendered from the answers
//! of the very routes a script would call, made by [`api::Api`] on the session's
//! behalf ([`securebase_api::auth::Delegated`]). So the API's rules hold unchanged for
//! the browser: a tenant key reaches only its tenant (another tenant's page is the
//! API's 404), scopes and audit windows apply, and every call is rate limited,
//! audited and metered as the key's own. What the portal adds is the session
//! ([`session`]): the key is presented once at `/ui/login` and exchanged for a
//! server-side session whose random token lives in an `HttpOnly`, `SameSite=Strict`
//! cookie; every form carries a CSRF token derived from it.
//!
//! Pages ([`pages`]) are `maud` templates compiled into the binary, with one stylesheet
//! and inline SVG charts and no script: everything reads with JavaScript off.

pub mod api;
mod error;
mod layout;
pub mod pages;
pub mod session;

pub use error::UiError;

use axum::Router;
use securebase_api::AppState;
use securebase_store::Store;
use std::time::Duration;

/// Portal settings.
#[derive(Debug, Clone)]
pub struct PortalConfig {
    /// How long a session lasts after sign-in.
    pub session_ttl: Duration,
    /// Mark cookies `Secure` even when the request does not say it came over TLS
    /// (`X-Forwarded-Proto: https` from the proxy in front marks them anyway).
    pub secure_cookies: bool,
    /// Largest form accepted, in bytes (an attestation with its evidence files).
    pub upload_limit: usize,
}

impl Default for PortalConfig {
    fn default() -> Self {
        Self { session_ttl: Duration::from_secs(8 * 3600), secure_cookies: false, upload_limit: 68 << 20 }
    }
}

/// What the portal's handlers share: the API they render, the store of sessions.
#[derive(Clone)]
pub struct Portal {
    pub(crate) api: Router,
    pub(crate) store: Store,
    pub(crate) config: PortalConfig,
}

/// The whole service: the API of [`securebase_api::router`] and the portal under `/ui/`.
pub fn app(state: AppState, config: PortalConfig) -> Router {
    let api = securebase_api::router(state.clone());
    let portal = Portal { api: api.clone(), store: state.store().clone(), config };
    api.merge(pages::router(portal))
}
