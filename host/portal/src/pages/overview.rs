//! `/ui/t/{id}/`: per framework the score, the requirement counts and coverage, the
//! score over the last 30 scans; the latest scan and its drift; scans in progress (the
//! page refreshes itself while there are any).

use super::{items, num, seg, text, when};
use crate::UiError;
use crate::layout::{self, badge, pct};
use crate::session::Session;
use axum::extract::Path;
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::html;
use serde_json::Value;

/// The counts a framework card shows, in order, with the summary field each reads.
const COUNTS: &[(&str, &str)] = &[
    ("Passing", "passing"),
    ("Failing", "failing"),
    ("Passing with exceptions", "passing_with_exceptions"),
    ("Attested", "attested"),
    ("Manual", "manual"),
    ("Not applicable", "non_applicable"),
    ("Errored", "errored"),
];

/// The API answer that means "nothing finished yet", not a failure.
pub(crate) fn no_scan_yet(e: &UiError) -> bool {
    matches!(e, UiError::Api { status, code, .. } if *status == StatusCode::NOT_FOUND && code == "no_scan")
}

pub(crate) async fn show(session: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    let t = seg(&id);
    // The tenant's own scans first: another tenant's id stops here with the API's 404.
    let recent: Value = session.api.get(&format!("/v1/tenants/{t}/scans?limit=20")).await?;
    // Running scans with their progress (one read each; a tenant has few at a time).
    let mut active = vec![];
    for s in items(&recent).iter().filter(|s| matches!(text(&s["status"]), "queued" | "running")) {
        active.push(session.api.get::<Value>(&format!("/v1/tenants/{t}/scans/{}", seg(text(&s["id"])))).await?);
    }
    let posture = match session.api.get::<Value>(&format!("/v1/tenants/{t}/posture")).await {
        Ok(p) => Some(p),
        Err(e) if no_scan_yet(&e) => None,
        Err(e) => return Err(e),
    };
    let history: Value = session.api.get(&format!("/v1/tenants/{t}/scores?limit=30")).await?;
    let history = items(&history);
    let labels: Vec<String> = history.iter().map(|h| text(&h["started_at"]).get(..10).unwrap_or_default().to_string()).collect();
    let frameworks: Vec<&Value> =
        posture.as_ref().map(|p| p["frameworks"].as_array().map(|a| a.iter().collect()).unwrap_or_default()).unwrap_or_default();
    let series: Vec<(String, Vec<Option<f64>>)> = frameworks
        .iter()
        .map(|f| {
            let fw = text(&f["id"]).to_string();
            let values = history.iter().map(|h| h["scores"][&fw].as_f64()).collect();
            (fw, values)
        })
        .collect();
    let scan = posture.as_ref().map(|p| &p["scan"]);
    let content = html! {
        @if !active.is_empty() {
            section aria-labelledby="running" {
                h2 id="running" { "Scans in progress" }
                p.hint { "This page refreshes every 5 seconds while a scan runs." }
                ul {
                    @for s in &active {
                        li { a href={ "/ui/t/" (t) "/scans/" (seg(text(&s["id"]))) } { (text(&s["id"])) } " " (badge(text(&s["status"])))
                            " queued " (when(&s["created_at"])) (super::scans::progress(s)) }
                    }
                }
            }
        }
        @match scan {
            None => {
                p { "No scan of this tenant has finished yet." }
                @if session.can(securebase_store::KeyScope::Scan) {
                    (super::scans::start_form(&session, &t))
                }
            }
            Some(scan) => {
                section aria-labelledby="frameworks" {
                    h2 id="frameworks" { "Frameworks" }
                    p.muted { "Latest scan " a href={ "/ui/t/" (t) "/scans/" (seg(text(&scan["id"]))) } { (text(&scan["id"])) } ", " (when(&scan["started_at"])) "." }
                    div.cards {
                        @for f in &frameworks {
                            @let summary = &f["summary"];
                            article.card data-framework=(text(&f["id"])) {
                                h3 { a href={ "/ui/t/" (t) "/frameworks/" (seg(text(&f["id"]))) } { (text(&f["name"])) } }
                                p.muted { (text(&f["id"])) " · " (text(&f["version"])) }
                                p { span.score data-score=(summary["score"].as_f64().map(|s| format!("{s:.1}")).unwrap_or_default()) { (pct(summary["score"].as_f64())) } " score" }
                                dl.counts {
                                    @for (label, field) in COUNTS {
                                        dt { (label) } dd { (num(&summary[*field])) }
                                    }
                                    dt { "Coverage" } dd { (pct(summary["coverage"].as_f64())) }
                                    dt { "Requirements" } dd { (num(&summary["total_controls"])) }
                                }
                            }
                        }
                    }
                }
                section aria-labelledby="trend" {
                    h2 id="trend" { "Score over the last " (history.len()) " scans" }
                    (layout::score_chart(&labels, &series))
                }
                section aria-labelledby="drift" {
                    h2 id="drift" { "Since the previous scan" }
                    @match scan["drift"].as_object() {
                        None => p { "This scan is the first of its scope: nothing to compare with." }
                        Some(d) => {
                            @if d.get("previous_scan").is_none_or(Value::is_null) {
                                p { "This scan is the first of its scope: nothing to compare with." }
                            } @else {
                                dl.counts {
                                    dt { "New failures" } dd { (num(&d["new_failures"])) }
                                    dt { "Resolved failures" } dd { (num(&d["resolved_failures"])) }
                                    dt { "Exceptions lapsed" } dd { (num(&d["exception_expired"])) }
                                    dt { "Attestations lapsed" } dd { (num(&d["attestation_expired"])) }
                                    dt { "New resources" } dd { (num(&d["new_resources"])) }
                                    dt { "Removed resources" } dd { (num(&d["removed_resources"])) }
                                }
                                p { a href={ "/ui/t/" (t) "/scans/" (seg(text(&scan["id"]))) "#drift" } { "What changed" } }
                            }
                        }
                    }
                }
            }
        }
    };
    let page = layout::page(&session, Some(&t), "", "Overview", content);
    Ok(with_refresh(page, !active.is_empty()))
}

/// A page that reloads itself every 5 seconds (no script needed) while `refresh`.
pub(crate) fn with_refresh(page: Html<String>, refresh: bool) -> Response {
    let mut response = page.into_response();
    if refresh {
        response.headers_mut().insert(HeaderName::from_static("refresh"), header::HeaderValue::from_static("5"));
    }
    response
}
