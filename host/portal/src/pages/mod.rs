//! The portal's pages, declared once in [`router`]; the navigation ([`NAV`]) is derived
//! from the same paths. Each page module renders what one part of the data flow shows:
//! [`overview`] (scores, latest scan, drift, running scans), [`frameworks`]
//! (requirements and one requirement's findings and evidence), [`findings`] (the
//! explorer), [`scans`] (list, one scan, downloads, drift between two scans),
//! [`registers`] (exceptions and attestations), [`manage`] (schedules, webhook, the
//! tenant's plugins and frameworks, usage and invoices), [`tenants`] (the operator's list);
//! [`forms`] is what every page that changes something renders its forms with.

pub mod findings;
pub mod forms;
pub mod frameworks;
pub mod manage;
pub mod overview;
pub mod registers;
pub mod scans;
pub mod tenants;

use crate::{Portal, layout, session};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use securebase_store::KeyScope;
use serde_json::Value;

/// One entry of a tenant's navigation: the page under `/ui/t/{id}/` and the scope a
/// key needs for it to be shown.
pub struct NavEntry {
    /// Path under the tenant's root (`""`: the overview).
    pub path: &'static str,
    /// Its label.
    pub label: &'static str,
    /// The narrowest scope that sees it.
    pub scope: KeyScope,
}

/// A tenant's navigation.
pub static NAV: &[NavEntry] = &[
    NavEntry { path: "", label: "Overview", scope: KeyScope::Read },
    NavEntry { path: "findings", label: "Findings", scope: KeyScope::Read },
    NavEntry { path: "scans", label: "Scans", scope: KeyScope::Read },
    NavEntry { path: "exceptions", label: "Exceptions", scope: KeyScope::Read },
    NavEntry { path: "attestations", label: "Attestations", scope: KeyScope::Read },
    NavEntry { path: "settings", label: "Settings", scope: KeyScope::Manage },
    NavEntry { path: "extensions", label: "Plugins & frameworks", scope: KeyScope::Manage },
    NavEntry { path: "usage", label: "Usage", scope: KeyScope::Manage },
];

/// Every page of the portal.
pub(crate) fn router(portal: Portal) -> Router {
    let limit = portal.config.upload_limit;
    Router::new()
        .route("/ui", get(|| async { Redirect::permanent("/ui/") }))
        .route("/ui/", get(home))
        .route("/ui/static/portal.css", get(css))
        .route("/ui/login", get(session::login_form).post(session::login))
        .route("/ui/logout", post(session::logout))
        .route("/ui/tenants", get(tenants::list))
        .route("/ui/t/{id}/", get(overview::show))
        .route("/ui/t/{id}/frameworks/{framework}", get(frameworks::show))
        .route("/ui/t/{id}/frameworks/{framework}/requirements/{requirement}", get(frameworks::requirement))
        .route("/ui/t/{id}/findings", get(findings::explore))
        .route("/ui/t/{id}/scans", get(scans::list).post(scans::start))
        .route("/ui/t/{id}/scans/{scan}", get(scans::show))
        .route("/ui/t/{id}/scans/{scan}/files/{file}", get(scans::download))
        .route("/ui/t/{id}/exceptions", get(registers::exceptions).post(registers::create_exception))
        .route("/ui/t/{id}/exceptions/{exception}/expire", post(registers::expire_exception))
        .route("/ui/t/{id}/exceptions/{exception}/delete", post(registers::delete_exception))
        .route("/ui/t/{id}/attestations", get(registers::attestations).post(registers::create_attestation))
        .route("/ui/t/{id}/attestations/{attestation}/delete", post(registers::delete_attestation))
        .route("/ui/t/{id}/attestations/{attestation}/evidence/{sha256}", get(registers::evidence))
        .route("/ui/t/{id}/settings", get(manage::settings))
        .route("/ui/t/{id}/schedules", post(manage::create_schedule))
        .route("/ui/t/{id}/schedules/{schedule}/delete", post(manage::delete_schedule))
        .route("/ui/t/{id}/webhook", post(manage::set_webhook))
        .route("/ui/t/{id}/webhook/delete", post(manage::delete_webhook))
        .route("/ui/t/{id}/extensions", get(manage::extensions))
        .route("/ui/t/{id}/plugins", post(manage::upload_plugin))
        .route("/ui/t/{id}/plugins/{plugin}/{action}", post(manage::change_plugin))
        .route("/ui/t/{id}/frameworks", post(manage::upload_framework))
        .route("/ui/t/{id}/frameworks/{framework}/delete", post(manage::delete_framework))
        .route("/ui/t/{id}/usage", get(manage::usage))
        .route("/ui/t/{id}/invoices/{month}", get(manage::invoice))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(portal)
}

/// `/ui/`: a tenant key's overview, or an admin's tenant list.
async fn home(session: session::Session) -> Redirect {
    match session.own_tenant() {
        Some(t) => Redirect::to(&format!("/ui/t/{}/", seg(t))),
        None => Redirect::to("/ui/tenants"),
    }
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], layout::CSS).into_response()
}

/// Headers of every portal answer: no script, no framing, no sniffing, and pages that
/// show a tenant's data are not kept in shared caches.
async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A path segment for an API URL (what the browser sent is never spliced in raw).
pub(crate) fn seg(s: &str) -> String {
    layout::query_escape(s)
}

/// A string field of an API answer, empty when absent.
pub(crate) fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// A number field of an API answer as text, a dash when absent.
pub(crate) fn num(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        _ => "–".into(),
    }
}

/// The items of a list answer.
pub(crate) fn items(v: &Value) -> &[Value] {
    v["items"].as_array().map(Vec::as_slice).unwrap_or_default()
}

/// A timestamp as a person reads it (`2026-12-03 20:17 UTC`).
pub(crate) fn when(v: &Value) -> String {
    match v.as_str() {
        Some(t) if t.len() >= 16 => format!("{} {} UTC", &t[..10], &t[11..16]),
        Some(t) => t.to_string(),
        None => "–".into(),
    }
}

/// The AWS console page of a resource: by ARN when it has one (from its configuration
/// item, or as its id), else AWS Config's page of the resource, which every recorded
/// `AWS::` type has; none for SecureBase's own types (an account's region, its password
/// policy), which the console has no page for.
pub(crate) fn console_url(resource_type: &str, resource_id: &str, arn: Option<&str>, region: &str) -> Option<String> {
    let aws = resource_type.starts_with("AWS::");
    if let Some(arn) = arn.filter(|_| aws).or(Some(resource_id)).filter(|a| a.starts_with("arn:")) {
        return Some(format!("https://console.aws.amazon.com/go/view?arn={}", layout::query_escape(arn)));
    }
    if !aws {
        return None;
    }
    let region = if region.is_empty() || region == "global" { "us-east-1" } else { region };
    Some(format!(
        "https://{region}.console.aws.amazon.com/config/home?region={region}#/resources/details?resourceType={}&resourceId={}",
        layout::query_escape(resource_type),
        layout::query_escape(resource_id)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_leave_their_place_in_a_url() {
        assert_eq!(seg("t_1"), "t_1");
        assert_eq!(seg("../../v1/keys"), "..%2F..%2Fv1%2Fkeys");
        assert_eq!(seg("a?b#c"), "a%3Fb%23c");
    }

    #[test]
    fn console_links_go_by_arn_or_to_the_config_resource_page() {
        assert_eq!(
            console_url("AWS::IAM::Role", "arn:aws:iam::111122223333:role/x", None, "global").unwrap(),
            "https://console.aws.amazon.com/go/view?arn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fx"
        );
        let rds = console_url("AWS::RDS::DBInstance", "db-M5EN", Some("arn:aws:rds:eu-west-1:111122223333:db:prod"), "eu-west-1");
        assert_eq!(rds.unwrap(), "https://console.aws.amazon.com/go/view?arn=arn%3Aaws%3Ards%3Aeu-west-1%3A111122223333%3Adb%3Aprod");
        let u = console_url("AWS::S3::Bucket", "logs bucket", None, "eu-west-1").unwrap();
        assert!(u.starts_with("https://eu-west-1.console.aws.amazon.com/config/home?region=eu-west-1#"), "{u}");
        assert!(u.ends_with("resourceType=AWS%3A%3AS3%3A%3ABucket&resourceId=logs%20bucket"), "{u}");
        assert!(console_url("AWS::IAM::User", "bob", None, "global").unwrap().contains("us-east-1"));
        assert_eq!(console_url("SecureBase::Account::Region", "us-west-2", None, "us-west-2"), None);
        let entry = console_url("SecureBase::IAM::CredentialReportEntry", "bob", Some("arn:aws:iam::111122223333:user/bob"), "global");
        assert_eq!(entry, None, "SecureBase's own types have no console page of their own");
    }
}
