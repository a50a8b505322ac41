//! A framework's requirements with their status, and one requirement: its checks, the
//! failing resources with messages and remediation, the exceptions that apply to its
//! checks and its attestations with their evidence.

use super::{console_url, items, num, seg, text, when};
use crate::UiError;
use crate::layout::{self, badge, pct};
use crate::session::Session;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Html;
use maud::{Markup, html};
use securebase_scan::resource_label;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
pub(crate) struct RequirementsQuery {
    status: Option<String>,
    scan: Option<String>,
}

fn scan_param(scan: &Option<String>) -> String {
    scan.as_deref().filter(|s| !s.is_empty()).map(|s| format!("&scan={}", layout::query_escape(s))).unwrap_or_default()
}

pub(crate) async fn show(
    session: Session,
    Path((id, framework)): Path<(String, String)>,
    Query(q): Query<RequirementsQuery>,
) -> Result<Html<String>, UiError> {
    let (t, fw) = (seg(&id), seg(&framework));
    let posture: Value = session.api.get(&format!("/v1/tenants/{t}/posture?framework={fw}{}", scan_param(&q.scan))).await?;
    let meta =
        posture["frameworks"].as_array().and_then(|a| a.iter().find(|f| f["id"] == framework.as_str())).cloned().unwrap_or(Value::Null);
    let all = posture["requirements"].as_array().cloned().unwrap_or_default();
    let status = q.status.filter(|s| !s.is_empty());
    let shown: Vec<&Value> = all.iter().filter(|r| status.as_deref().is_none_or(|s| r["status"] == s)).collect();
    let statuses = ["fail", "pass", "passing_with_exceptions", "attested", "manual", "not_applicable", "error"];
    let content = html! {
        p.muted { (text(&meta["id"])) " · " (text(&meta["version"])) " · scan " (text(&posture["scan"]["id"])) " of " (when(&posture["scan"]["started_at"])) }
        p { span.score { (pct(meta["summary"]["score"].as_f64())) } " score, " (pct(meta["summary"]["coverage"].as_f64())) " coverage" }
        form.filters method="get" {
            div { label for="status" { "Status" }
                select id="status" name="status" {
                    option value="" { "any" }
                    @for s in statuses { option value=(s) selected[status.as_deref() == Some(s)] { (s.replace('_', " ")) } }
                }
            }
            @if let Some(scan) = &q.scan { input type="hidden" name="scan" value=(scan); }
            button type="submit" { "Show" }
        }
        p { (shown.len()) " of " (all.len()) " requirements" }
        div.table-wrap { table {
            thead { tr { th scope="col" { "Requirement" } th scope="col" { "Title" } th scope="col" { "Section" } th scope="col" { "Status" } th scope="col" { "Checks" } } }
            tbody {
                @for r in &shown {
                    tr data-status=(text(&r["status"])) {
                        td { a href={ "/ui/t/" (t) "/frameworks/" (fw) "/requirements/" (seg(text(&r["id"]))) } { (text(&r["id"])) } }
                        td { (text(&r["title"])) }
                        td { (text(&r["section"])) }
                        td { (badge(text(&r["status"]))) }
                        td { (r["checks"].as_array().map_or(0, Vec::len)) }
                    }
                }
            }
        } }
    };
    Ok(layout::page(&session, Some(&t), "frameworks", &format!("{} requirements", text(&meta["name"])), content))
}

pub(crate) async fn requirement(
    session: Session,
    Path((id, framework, requirement)): Path<(String, String, String)>,
    Query(q): Query<RequirementsQuery>,
) -> Result<Html<String>, UiError> {
    let (t, fw, req) = (seg(&id), seg(&framework), seg(&requirement));
    let posture: Value = session.api.get(&format!("/v1/tenants/{t}/posture?framework={fw}{}", scan_param(&q.scan))).await?;
    let Some(r) = posture["requirements"].as_array().and_then(|a| a.iter().find(|r| r["id"] == requirement.as_str())).cloned() else {
        return Err(UiError::Api {
            status: StatusCode::NOT_FOUND,
            code: "not_found".into(),
            message: format!("framework {framework} has no requirement {requirement}"),
        });
    };
    let scan = text(&posture["scan"]["id"]).to_string();
    let checks: Vec<String> = r["checks"].as_array().map(|a| a.iter().map(|c| text(c).to_string()).collect()).unwrap_or_default();
    let findings_of = |status: &str| {
        format!("/v1/tenants/{t}/findings?scan={}&framework={fw}&requirement={req}&status={status}&sort=severity&limit=200", seg(&scan))
    };
    let (failing, excepted): (Value, Value) = if checks.is_empty() {
        (Value::Null, Value::Null)
    } else {
        (session.api.get(&findings_of("fail")).await?, session.api.get(&findings_of("excepted")).await?)
    };
    let exceptions: Value = session.api.get(&format!("/v1/tenants/{t}/exceptions")).await?;
    let exceptions: Vec<&Value> =
        items(&exceptions).iter().filter(|e| e["check"] == "*" || checks.iter().any(|c| e["check"] == c.as_str())).collect();
    let attestations: Value = session.api.get(&format!("/v1/tenants/{t}/attestations")).await?;
    let attestations: Vec<&Value> =
        items(&attestations).iter().filter(|a| a["framework"] == framework.as_str() && a["requirement"] == requirement.as_str()).collect();
    let content = html! {
        p { (badge(text(&r["status"]))) " " (text(&r["title"])) }
        p.muted { (text(&r["section"])) " · scan " (scan) }
        h2 { "Checks" }
        @if checks.is_empty() { p { "No check decides this requirement: it is manual, answered by an attestation." } }
        ul { @for c in &checks { li { a href={ "/ui/t/" (t) "/findings?check=" (seg(c)) "&scan=" (seg(&scan)) } { code { (c) } } } } }
        h2 { "Failing resources (" (num(&failing["total"])) ")" }
        (finding_table(&t, items(&failing)))
        @if excepted["total"].as_u64().unwrap_or(0) > 0 {
            h2 { "Failing, excepted (" (num(&excepted["total"])) ")" }
            (finding_table(&t, items(&excepted)))
        }
        h2 { "Exceptions for these checks" }
        (super::registers::exception_table(&session, &t, &exceptions))
        h2 { "Attestations" }
        (super::registers::attestation_table(&session, &t, &attestations))
    };
    Ok(layout::page(&session, Some(&t), "frameworks", &format!("{} {}", text(&r["id"]), framework), content))
}

/// Findings as a table: severity, status, check, resource (linked to the console),
/// account and region, message and remediation.
pub(crate) fn finding_table(t: &str, findings: &[Value]) -> Markup {
    html! {
        @if findings.is_empty() { p { "None." } } @else {
            div.table-wrap { table.findings {
                thead { tr {
                    th scope="col" { "Severity" } th scope="col" { "Status" } th scope="col" { "Check" } th scope="col" { "Resource" }
                    th scope="col" { "Account / region" } th scope="col" { "Message and remediation" }
                } }
                tbody {
                    @for f in findings {
                        tr data-check=(text(&f["check_id"])) data-type=(text(&f["resource_type"])) data-resource=(text(&f["resource_id"])) data-status=(text(&f["status"])) {
                            td { (badge(text(&f["severity"]))) }
                            td { (badge(text(&f["status"]))) }
                            td { a href={ "/ui/t/" (t) "/findings?check=" (seg(text(&f["check_id"]))) } { (text(&f["check_title"])) } br; code.muted { (text(&f["check_id"])) } }
                            @let label = resource_label(text(&f["resource_id"]), f["resource_name"].as_str());
                            td { span.muted { (text(&f["resource_type"])) } br;
                                @match console_url(text(&f["resource_type"]), text(&f["resource_id"]), f["resource_arn"].as_str(), text(&f["region"])) {
                                    Some(url) => a href=(url) rel="noreferrer noopener" target="_blank"
                                        aria-label={ "Open " (label) " in the AWS console" } { (label) },
                                    None => (label),
                                } }
                            td { (text(&f["account_id"])) br; (text(&f["region"])) }
                            td { (text(&f["message"]))
                                @if !text(&f["remediation"]).is_empty() { details { summary { "Remediation" } p { (text(&f["remediation"])) } } } }
                        }
                    }
                }
            } }
        }
    }
}
