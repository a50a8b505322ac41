//! The operator's page: every live tenant with its framework's score and last scan.

use super::{items, num, seg, text, when};
use crate::UiError;
use crate::layout::{self, pct};
use crate::session::Session;
use axum::extract::Query;
use axum::response::Html;
use maud::html;
use serde::Deserialize;
use serde_json::Value;

const PER_PAGE: u64 = 50;

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    skip: Option<u64>,
}

pub(crate) async fn list(session: Session, Query(q): Query<PageQuery>) -> Result<Html<String>, UiError> {
    let skip = q.skip.unwrap_or(0);
    // Admin only: the API answers a tenant key 403, shown as such.
    let page: Value = session.api.get(&format!("/v1/tenants?skip={skip}&limit={PER_PAGE}")).await?;
    let total = page["total"].as_u64().unwrap_or(0);
    let content = html! {
        p role="status" { (total) " tenants" }
        div.table-wrap { table {
            thead { tr { th scope="col" { "Tenant" } th scope="col" { "Tier" } th scope="col" { "Framework" } th scope="col" { "Score" }
                th scope="col" { "Passing" } th scope="col" { "Last scan" } } }
            tbody { @for t in items(&page) {
                @let c = &t["compliance"];
                tr {
                    td { a href={ "/ui/t/" (seg(text(&t["id"]))) "/" } { (text(&t["name"])) } br; span.muted { (text(&t["id"])) } }
                    td { (text(&t["tier"])) }
                    td { (text(&c["framework"])) }
                    td { (pct(c["score"].as_f64())) }
                    td { (num(&c["passing"])) " of " (num(&c["total_controls"])) }
                    td { @if c["last_scan"].is_object() { (text(&c["last_scan"]["id"])) " " (when(&c["last_scan"]["finished_at"])) } @else { "none" } }
                }
            } }
        } }
        nav.pager aria-label="Pages" {
            @if skip > 0 { a href={ "/ui/tenants?skip=" (skip.saturating_sub(PER_PAGE)) } rel="prev" { "← Previous" } }
            @if skip + PER_PAGE < total { a href={ "/ui/tenants?skip=" (skip + PER_PAGE) } rel="next" { "Next →" } }
        }
    };
    Ok(layout::page(&session, None, "tenants", "Tenants", content))
}
