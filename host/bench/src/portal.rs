//! The portal benchmark: one tenant whose scans hold many findings each, its pages
//! served by the real portal (and the API under it) on a loopback port, and each page
//! driven at a fixed rate like the API benchmark, signed in with a real session cookie.

use crate::api::{ApiBench, ApiMeasurement, Seeded, drive};
use securebase_api::{ApiConfig, AppState};
use securebase_portal::PortalConfig;
use securebase_scan::Scanner;
use securebase_store::Store;
use std::sync::Arc;
use std::time::Duration;

/// The pages measured: label and path under the tenant's root (`/ui/t/{id}/`).
pub const PAGES: &[(&str, &str)] = &[
    ("overview", ""),
    ("findings explorer, first page by severity", "findings"),
    ("findings explorer, failing SOC 2 findings, page 21", "findings?status=fail&framework=soc2&sort=severity&skip=1000"),
];

/// Signs in as `seeded`'s key, then drives each of [`PAGES`] in turn for `b.duration`.
pub async fn run(store: Store, scanner: Arc<Scanner>, seeded: &Seeded, b: &ApiBench) -> Vec<(&'static str, ApiMeasurement)> {
    let session = store.create_session(&seeded.key_id, Duration::from_secs(3600)).await.expect("a session of the seeded key");
    let state = AppState::new(store, scanner, ApiConfig { rate_limit_per_minute: 0, ..ApiConfig::default() });
    let app = securebase_portal::app(state, PortalConfig::default());
    let mut out = vec![];
    for (label, path) in PAGES {
        let request = format!(
            "GET /ui/t/{}/{path} HTTP/1.1\r\nHost: bench\r\nCookie: {}={}\r\n\r\n",
            seeded.tenant,
            securebase_portal::session::COOKIE,
            session.token
        );
        out.push((*label, ApiMeasurement::of(drive(app.clone(), vec![request], b).await, 0, Duration::ZERO)));
    }
    out
}

/// Runs `ANALYZE` on the PostgreSQL database at `url` (its owner's: the service's role
/// may not).
pub async fn analyze(url: &str) -> Result<(), sqlx::Error> {
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    conn.execute("ANALYZE").await?;
    conn.close().await
}

/// The figures of one page, as a line.
pub fn render(label: &str, m: &ApiMeasurement, b: &ApiBench) -> String {
    format!(
        "{label}: {} requests at {} req/s over {:.1} s, {} ok, {} errors; latency {}\n",
        m.sent,
        b.rate,
        m.elapsed.as_secs_f64(),
        m.ok,
        m.sent - m.ok,
        m.latency(),
    )
}
