//! The findings explorer: the API's filters (framework, requirement, check, status,
//! severity, account, resource type), sorted by severity or in scan order, a page at a
//! time, each finding linked to its resource in the AWS console.

use super::{items, num, seg};
use crate::UiError;
use crate::layout;
use crate::session::Session;
use axum::extract::{Path, RawQuery};
use axum::response::Html;
use maud::html;
use serde_json::Value;

/// Findings per page.
const PER_PAGE: u64 = 50;

/// The explorer's filters: query parameter, label, and the values of a choice (`None`:
/// free text). The same names are the API's, so a filter passes through as it is.
const FILTERS: &[(&str, &str, Option<&[&str]>)] = &[
    ("status", "Status", Some(&["fail", "pass", "excepted", "not_applicable", "error"])),
    ("severity", "Severity", Some(&["critical", "high", "medium", "low", "info"])),
    ("framework", "Framework", None),
    ("requirement", "Requirement", None),
    ("check", "Check", None),
    ("account", "Account", None),
    ("resource_type", "Resource type", None),
    ("scan", "Scan", None),
];

/// The query's pairs, decoded; only the explorer's own names are kept.
fn parse(query: Option<&str>) -> Vec<(String, String)> {
    let pairs: Vec<(String, String)> = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{}", query.unwrap_or_default()).parse().unwrap_or_else(|_| "/".parse().expect("a path")),
    )
    .map(|q| q.0)
    .unwrap_or_default();
    pairs.into_iter().filter(|(k, v)| !v.is_empty() && (FILTERS.iter().any(|(name, ..)| name == k) || k == "sort" || k == "skip")).collect()
}

fn encode(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", layout::query_escape(v))).collect::<Vec<_>>().join("&")
}

pub(crate) async fn explore(session: Session, Path(id): Path<String>, RawQuery(query): RawQuery) -> Result<Html<String>, UiError> {
    let t = seg(&id);
    let mut pairs = parse(query.as_deref());
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let skip: u64 = get("skip").and_then(|s| s.parse().ok()).unwrap_or(0);
    let sort = get("sort").unwrap_or_else(|| "severity".into());
    pairs.retain(|(k, _)| k != "skip" && k != "sort");
    let filters = pairs.clone();
    let api_query = format!("{}&sort={}&skip={skip}&limit={PER_PAGE}", encode(&filters), layout::query_escape(&sort));
    let page: Value = session.api.get(&format!("/v1/tenants/{t}/findings?{}", api_query.trim_start_matches('&'))).await?;
    let total = page["total"].as_u64().unwrap_or(0);
    let link = |skip: u64| {
        let mut q = filters.clone();
        q.push(("sort".into(), sort.clone()));
        q.push(("skip".into(), skip.to_string()));
        format!("/ui/t/{t}/findings?{}", encode(&q))
    };
    let value = |k: &str| filters.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let content = html! {
        form.filters method="get" aria-label="Filters" {
            @for (name, label, choices) in FILTERS {
                div {
                    label for=(name) { (label) }
                    @match choices {
                        Some(choices) => select id=(name) name=(name) {
                            option value="" { "any" }
                            @for c in *choices { option value=(c) selected[value(name) == Some(*c)] { (c.replace('_', " ")) } }
                        },
                        None => input id=(name) name=(name) type="text" value=(value(name).unwrap_or_default()) size="14";,
                    }
                }
            }
            div {
                label for="sort" { "Order" }
                select id="sort" name="sort" {
                    option value="severity" selected[sort == "severity"] { "most severe first" }
                    option value="scan" selected[sort == "scan"] { "scan order" }
                }
            }
            button type="submit" { "Apply" }
        }
        p role="status" { (num(&page["total"])) " findings" @if total > 0 { ", " (skip + 1) " to " ((skip + PER_PAGE).min(total)) } }
        (super::frameworks::finding_table(&t, items(&page)))
        nav.pager aria-label="Pages" {
            @if skip > 0 { a href=(link(skip.saturating_sub(PER_PAGE))) rel="prev" { "← Previous" } }
            @if skip + PER_PAGE < total { a href=(link(skip + PER_PAGE)) rel="next" { "Next →" } }
        }
    };
    Ok(layout::page(&session, Some(&t), "findings", "Findings", content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_explorers_filters_pass_to_the_api() {
        let pairs = parse(Some("status=fail&severity=&evil=1&check=s3_x&skip=50&account=1111%202222"));
        let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["status", "check", "skip", "account"]);
        assert_eq!(encode(&pairs), "status=fail&check=s3_x&skip=50&account=1111%202222");
    }
}
