//! The page shell (header, navigation, sign-out), the stylesheet, and the small pieces
//! pages share: status badges, percentages, the score chart (inline SVG).

use crate::pages::NAV;
use crate::session::Session;
use axum::response::Html;
use maud::{DOCTYPE, Markup, html};

/// The stylesheet, served at `/ui/static/portal.css` (contrast at least 4.5:1 for
/// text; focus always visible; one column on a phone).
pub(crate) const CSS: &str = r#"
:root { --fg: #1b1f24; --muted: #4a535e; --bg: #fff; --line: #d0d7de; --accent: #0b57d0;
  --pass: #116329; --fail: #a40e26; --warn: #7a4d00; --info: #3b4a5a; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #f5a623; outline-offset: 2px; }
header { background: #102a43; color: #fff; padding: .5rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; }
header a { color: #fff; }
header .brand { font-weight: 700; text-decoration: none; }
header nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; }
header nav a[aria-current="page"] { font-weight: 700; text-decoration: underline; }
header .who { margin-left: auto; font-size: .875rem; }
header form { display: inline; }
header button { background: transparent; color: #fff; border: 1px solid #fff; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f3f5f7; }
.table-wrap { overflow-x: auto; }
td { overflow-wrap: anywhere; }
table.findings td:nth-child(3) { min-width: 14rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 1rem; }
.card h3 { margin: 0 0 .25rem; font-size: 1.05rem; }
.score { font-size: 2rem; font-weight: 700; }
dl.counts { display: grid; grid-template-columns: auto auto; gap: 0 1rem; margin: .5rem 0 0; }
dl.facts { max-width: 30rem; }
details summary { cursor: pointer; color: var(--accent); }
dl.counts dt { color: var(--muted); } dl.counts dd { margin: 0; text-align: right; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: 4px; font-size: .85rem; font-weight: 600; border: 1px solid currentColor; }
.s-pass, .s-passing_with_exceptions, .s-attested, .s-succeeded, .s-valid, .s-active, .s-running, .s-enabled, .s-issued { color: var(--pass); }
.s-fail, .s-failed, .s-error, .s-critical, .s-high, .s-expired, .s-deleted { color: var(--fail); }
.s-medium, .s-manual, .s-excepted, .s-queued, .s-not_yet_valid, .s-disabled, .s-draft, .s-open { color: var(--warn); }
.s-low, .s-info, .s-not_applicable { color: var(--info); }
.muted, .hint { color: var(--muted); }
.error { color: var(--fail); font-weight: 600; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; }
form.filters label, form.stack label { display: block; font-size: .875rem; color: var(--muted); }
form.stack { display: grid; gap: .5rem; max-width: 36rem; }
form.stack .hint { display: block; font-size: .875rem; }
input, select, textarea, button { font: inherit; padding: .35rem .5rem; border: 1px solid #8c959f; border-radius: 4px; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.danger { background: var(--fail); border-color: var(--fail); }
.pager { display: flex; gap: 1rem; }
.notice { border: 2px solid var(--pass); border-radius: 6px; padding: .5rem 1rem; margin: .5rem 0 1rem; }
.notice code { overflow-wrap: anywhere; }
.progress { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .25rem 0; }
progress { width: 12rem; height: 1rem; }
tfoot th { text-align: right; background: transparent; }
svg.chart { width: 100%; max-width: 48rem; height: auto; }
svg.chart text { font-size: 11px; fill: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; padding: 0; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: .5rem; background: #fff; color: var(--fg); padding: .25rem; z-index: 1; }
@media (max-width: 40rem) { header .who { margin-left: 0; } th, td { padding: .3rem; font-size: .9rem; } }
"#;

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · SecureBase" }
            link rel="stylesheet" href="/ui/static/portal.css";
        }
    }
}

/// A page without navigation (sign-in, errors).
pub(crate) fn bare(title: &str, content: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                (head(title))
                body { main id="main" { (content) } }
            }
        }
        .into_string(),
    )
}

/// A page of a tenant (`tenant`), or of the service (`None`, admin pages), with the
/// navigation the session's key may use; `current` is the navigation entry it belongs to.
pub(crate) fn page(session: &Session, tenant: Option<&str>, current: &str, title: &str, content: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                (head(title))
                body {
                    a.skip href="#main" { "Skip to content" }
                    header {
                        a.brand href="/ui/" { "SecureBase" }
                        nav aria-label="Main" {
                            ul {
                                @if session.is_admin() {
                                    li { a href="/ui/tenants" aria-current=[(current == "tenants").then_some("page")] { "Tenants" } }
                                }
                                @if let Some(t) = tenant {
                                    @for entry in NAV.iter().filter(|e| session.can(e.scope)) {
                                        li { a href={ "/ui/t/" (t) "/" (entry.path) } aria-current=[(current == entry.path).then_some("page")] { (entry.label) } }
                                    }
                                }
                            }
                        }
                        span.who {
                            (session.describe()) " "
                            form method="post" action="/ui/logout" {
                                input type="hidden" name="csrf" value=(session.csrf());
                                button type="submit" { "Sign out" }
                            }
                        }
                    }
                    main id="main" { h1 { (title) } (content) }
                }
            }
        }
        .into_string(),
    )
}

/// A status as a coloured badge (colour never the only sign: the word is written).
pub(crate) fn badge(status: &str) -> Markup {
    html! { span class={ "badge s-" (status) } { (status.replace('_', " ")) } }
}

/// A percentage, or a dash when there is none.
pub(crate) fn pct(v: Option<f64>) -> String {
    match v {
        Some(v) => format!("{v:.1}%"),
        None => "–".into(),
    }
}

/// A value for a URL's query string.
pub(crate) fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Line colours of the chart, distinct for the colour-blind too (Okabe–Ito).
const COLOURS: [&str; 8] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"];

/// Scores over scans as lines, one per framework; `series` is (framework, scores in
/// scan order, `None` where that scan decided nothing of it).
pub(crate) fn score_chart(labels: &[String], series: &[(String, Vec<Option<f64>>)]) -> Markup {
    let (w, h, left, bottom, top) = (640.0_f64, 220.0_f64, 36.0_f64, 24.0_f64, 8.0_f64);
    let n = labels.len().max(1);
    let x = |i: usize| if n == 1 { left + (w - left - 8.0) / 2.0 } else { left + (w - left - 8.0) * i as f64 / (n - 1) as f64 };
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v / 100.0);
    let summary: Vec<String> = series.iter().map(|(fw, v)| format!("{fw} {}", pct(v.iter().rev().find_map(|s| *s)))).collect();
    html! {
        figure {
            svg.chart viewBox={ "0 0 " (w) " " (h) } role="img" aria-label={ "Score over the last " (labels.len()) " scans; latest: " (summary.join(", ")) } {
                @for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
                    line x1=(left) x2=(w - 8.0) y1=(y(tick)) y2=(y(tick)) stroke="#d0d7de" {}
                    text x="2" y=(y(tick) + 4.0) { (tick) "%" }
                }
                @if let (Some(first), Some(last)) = (labels.first(), labels.last()) {
                    text x=(left) y=(h - 6.0) { (first) }
                    text x=(w - 8.0) y=(h - 6.0) text-anchor="end" { (last) }
                }
                @for (i, (fw, values)) in series.iter().enumerate() {
                    @let colour = COLOURS[i % COLOURS.len()];
                    @let points: Vec<String> = values.iter().enumerate().filter_map(|(j, v)| v.map(|v| format!("{:.1},{:.1}", x(j), y(v)))).collect();
                    polyline fill="none" stroke=(colour) stroke-width="2" points=(points.join(" ")) { title { (fw) } }
                    @for (j, v) in values.iter().enumerate() {
                        @if let Some(v) = v {
                            circle cx=(format!("{:.1}", x(j))) cy=(format!("{:.1}", y(*v))) r="3" fill=(colour) { title { (fw) " " (pct(Some(*v))) " · " (labels[j]) } }
                        }
                    }
                }
            }
            figcaption {
                ul.legend {
                    @for (i, (fw, _)) in series.iter().enumerate() {
                        li { svg width="12" height="12" aria-hidden="true" { rect width="12" height="12" fill=(COLOURS[i % COLOURS.len()]) {} } " " (fw) }
                    }
                }
            }
        }
    }
}
