//! Sign-in, sessions and CSRF tokens.
//!
//! `POST /ui/login` takes an API key (form field `key`) and checks it by calling the
//! API with it, so a wrong key meets the API's own refusal: audited, and limited per
//! address like any request without a valid key. A good key opens a server-side
//! session ([`securebase_store::Store::create_session`]); the browser gets only the
//! session's random token, in a cookie that scripts cannot read (`HttpOnly`), that is
//! not sent on requests from other sites (`SameSite=Strict`), scoped to `/ui`, and
//! `Secure` behind TLS. The key is never kept, in the browser or on the server.
//!
//! Every form carries a CSRF token derived from the session token (so nothing more is
//! stored), checked in constant time before any change is forwarded to the API. The
//! sign-in form has its own: a random value set in a short-lived cookie and echoed by
//! the form (double submit), so another site cannot sign a browser in to its key.

use crate::api::Api;
use crate::{Portal, UiError, layout};
use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use securebase_api::auth::Delegated;
use securebase_store::{KeyKind, KeyScope};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use subtle::ConstantTimeEq;

/// The session cookie.
pub const COOKIE: &str = "sb_session";
/// The sign-in form's double-submit cookie.
const LOGIN_COOKIE: &str = "sb_login";

/// A signed-in browser: who it acts as, and the API as that principal sees it.
#[derive(Clone)]
pub struct Session {
    token: String,
    /// The key's principal and tenant.
    pub who: Delegated,
    /// The API on this session's behalf.
    pub api: Api,
}

impl Session {
    /// The token every form of this session carries.
    pub fn csrf(&self) -> String {
        csrf_of(&self.token)
    }

    /// Whether the session's key is an admin key.
    pub fn is_admin(&self) -> bool {
        self.who.principal.kind == KeyKind::Admin
    }

    /// Whether the key may do what needs `scope` (an admin key may do everything).
    pub fn can(&self, scope: KeyScope) -> bool {
        self.is_admin() || self.who.principal.scope >= scope
    }

    /// The tenant a tenant key belongs to.
    pub fn own_tenant(&self) -> Option<&str> {
        match &self.who.principal.kind {
            KeyKind::Tenant(t) => Some(t),
            KeyKind::Admin => None,
        }
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, presented: &str) -> Result<(), UiError> {
        let expected = self.csrf();
        if bool::from(expected.as_bytes().ct_eq(presented.as_bytes())) { Ok(()) } else { Err(UiError::Csrf) }
    }

    /// A line naming who is signed in, for the page header.
    pub fn describe(&self) -> String {
        let p = &self.who.principal;
        match (&p.kind, &p.window) {
            (KeyKind::Admin, _) => format!("admin key {}", p.key_id),
            (KeyKind::Tenant(_), Some(w)) => format!("{} key {} (audit window {w})", p.scope.as_str(), p.key_id),
            (KeyKind::Tenant(_), None) => format!("{} key {}", p.scope.as_str(), p.key_id),
        }
    }
}

fn csrf_of(token: &str) -> String {
    let digest = Sha256::digest(format!("securebase portal csrf\0{token}").as_bytes());
    digest.iter().take(20).map(|b| format!("{b:02x}")).collect()
}

/// A cookie's value from the request's `Cookie` headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Whether the browser reached the service over TLS (directly or through a proxy that says so).
fn over_tls(portal: &Portal, headers: &HeaderMap) -> bool {
    portal.config.secure_cookies || headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

fn set_cookie(name: &str, value: &str, max_age: u64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"))
        .expect("cookie values made here are header-safe")
}

impl FromRequestParts<Portal> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Portal) -> Result<Self, Response> {
        let to_login = || {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/ui/");
            Redirect::to(&format!("/ui/login?next={}", layout::query_escape(next))).into_response()
        };
        let Some(token) = cookie(&parts.headers, COOKIE) else { return Err(to_login()) };
        let (principal, tenant) = match portal.store.session(&token).await {
            Ok(Some(found)) => found,
            Ok(None) => return Err(to_login()),
            Err(e) => return Err(UiError::from(e).into_response()),
        };
        let who = Delegated { principal, tenant };
        let source = parts.extensions.get::<ConnectInfo<SocketAddr>>().copied();
        let api = Api::new(portal.api.clone(), who.clone(), source);
        Ok(Session { token, who, api })
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// Only a path of the portal itself is a place to go after signing in (no open redirect).
fn next_page(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/ui/") && !n.starts_with("/ui//") && !n.contains('\\') => n.to_string(),
        _ => "/ui/".into(),
    }
}

fn random_hex() -> String {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `GET /ui/login`.
pub(crate) async fn login_form(
    State(portal): State<Portal>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<NextQuery>,
) -> Response {
    login_page(&portal, &headers, q.next.as_deref(), None, StatusCode::OK)
}

fn login_page(portal: &Portal, headers: &HeaderMap, next: Option<&str>, error: Option<&str>, status: StatusCode) -> Response {
    let nonce = random_hex();
    let body = layout::bare(
        "Sign in",
        html! {
            h1 { "Sign in to SecureBase" }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form method="post" action="/ui/login" {
                input type="hidden" name="csrf" value=(nonce);
                input type="hidden" name="next" value=(next_page(next));
                label for="key" { "API key" }
                input id="key" name="key" type="password" autocomplete="off" required placeholder="sb_k_…";
                p.hint { "Your key is checked once and not kept: the browser gets a session that ends when you sign out or after "
                    (portal.config.session_ttl.as_secs() / 3600) " hours." }
                button type="submit" { "Sign in" }
            }
        },
    );
    let mut response = (status, body).into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, &nonce, 600, over_tls(portal, headers)));
    response
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    key: String,
    csrf: String,
    next: Option<String>,
}

/// `POST /ui/login`.
pub(crate) async fn login(
    State(portal): State<Portal>,
    ext: axum::http::Extensions,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let source = ext.get::<ConnectInfo<SocketAddr>>().copied();
    let nonce = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if nonce.is_empty() || !bool::from(nonce.as_bytes().ct_eq(form.csrf.as_bytes())) {
        return UiError::Csrf.into_response();
    }
    let key = form.key.trim();
    // The API checks the key: a wrong one is refused, audited and limited per address
    // exactly as it would be on the API itself.
    let mut probe = axum::http::Request::builder()
        .method(Method::GET)
        .uri("/v1/frameworks")
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .body(axum::body::Body::empty())
        .expect("a request");
    if let Some(source) = source {
        probe.extensions_mut().insert(source);
    }
    let answer = match tower::ServiceExt::oneshot(portal.api.clone(), probe).await {
        Ok(a) => a,
        Err(never) => match never {},
    };
    let refused = match answer.status() {
        StatusCode::OK => None,
        StatusCode::TOO_MANY_REQUESTS => Some((StatusCode::TOO_MANY_REQUESTS, "Too many attempts from this address; wait a minute.")),
        _ => Some((StatusCode::UNAUTHORIZED, "That key is unknown, expired or revoked.")),
    };
    if let Some((status, message)) = refused {
        return login_page(&portal, &headers, form.next.as_deref(), Some(message), status);
    }
    let principal = match portal.store.authenticate(key).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            return login_page(&portal, &headers, form.next.as_deref(), Some("That key was revoked just now."), StatusCode::UNAUTHORIZED);
        }
        Err(e) => return UiError::from(e).into_response(),
    };
    let session = match portal.store.create_session(&principal.key_id, portal.config.session_ttl).await {
        Ok(s) => s,
        Err(e) => return UiError::from(e).into_response(),
    };
    let secure = over_tls(&portal, &headers);
    let mut response = Redirect::to(&next_page(form.next.as_deref())).into_response();
    let h = response.headers_mut();
    h.append(header::SET_COOKIE, set_cookie(COOKIE, &session.token, portal.config.session_ttl.as_secs(), secure));
    h.append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", 0, secure));
    response
}

/// `POST /ui/logout`: ends the session on the server and clears the cookie.
pub(crate) async fn logout(
    State(portal): State<Portal>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<crate::pages::forms::CsrfForm>,
) -> Response {
    if let Err(e) = session.check_csrf(&form.csrf) {
        return e.into_response();
    }
    if let Err(e) = portal.store.end_session(&session.token).await {
        return UiError::from(e).into_response();
    }
    let mut response = Redirect::to("/ui/login").into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(COOKIE, "", 0, over_tls(&portal, &headers)));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_portal_paths_are_places_to_go_next() {
        assert_eq!(next_page(Some("/ui/t/t_1/findings?status=fail")), "/ui/t/t_1/findings?status=fail");
        for bad in ["https://evil.example/", "//evil.example/", "/ui//evil.example", "/v1/tenants", "/ui/\\evil"] {
            assert_eq!(next_page(Some(bad)), "/ui/", "{bad}");
        }
        assert_eq!(next_page(None), "/ui/");
    }

    #[test]
    fn cookies_are_read_by_name_among_others() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; sb_session=sb_s_x"));
        h.append(header::COOKIE, HeaderValue::from_static("sb_login=n"));
        assert_eq!(cookie(&h, COOKIE).as_deref(), Some("sb_s_x"));
        assert_eq!(cookie(&h, LOGIN_COOKIE).as_deref(), Some("n"));
        assert_eq!(cookie(&h, "b"), None);
    }

    #[test]
    fn the_csrf_token_is_the_sessions_own() {
        assert_eq!(csrf_of("sb_s_a"), csrf_of("sb_s_a"));
        assert_ne!(csrf_of("sb_s_a"), csrf_of("sb_s_b"));
        assert_eq!(csrf_of("sb_s_a").len(), 40);
    }
}
