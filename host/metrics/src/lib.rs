//! The metrics `securebase serve` and `securebase worker` export at `/metrics`, in the
//! Prometheus text format: every metric is declared once, in [`Metrics::new`], with its
//! help text; the service and its workers record into the process's one [`global`]
//! registry, and `/metrics` renders it.
//!
//! Labels are bounded sets (a scan's source, a plugin error's kind, an AWS service, a
//! route's template, an HTTP status, a delivery's outcome): never a tenant, a scan or a
//! resource id, so the series stay few and a scrape reveals no tenant's data.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::OnceLock;
use std::time::Duration;

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Seconds an API request may take, as histogram buckets (5 ms to 10 s).
const REQUEST_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Seconds a scan may take, as histogram buckets (1 s to an hour).
const SCAN_BUCKETS: [f64; 10] = [1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Source {
    source: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Kind {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Service {
    service: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    method: String,
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteOf {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Status {
    status: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn request_histogram() -> Histogram {
    Histogram::new(REQUEST_BUCKETS)
}

fn scan_histogram() -> Histogram {
    Histogram::new(SCAN_BUCKETS)
}

/// How a webhook delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The receiver answered 2xx.
    Delivered,
    /// It failed and will be tried again.
    Retrying,
    /// It failed for the last time.
    GaveUp,
}

/// Every metric of the process.
pub struct Metrics {
    registry: Registry,
    scans_started: Family<Source, Counter>,
    scans_finished: Family<Source, Counter>,
    scans_failed: Family<Source, Counter>,
    scan_duration: Histograms<Source>,
    plugin_errors: Family<Kind, Counter>,
    fuel_used: Counter,
    collection_errors: Family<Service, Counter>,
    requests: Family<Request, Counter>,
    request_duration: Histograms<RouteOf>,
    webhook_deliveries: Family<Outcome, Counter>,
    queue: Family<Status, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry with every metric declared and none recorded.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("securebase");
        let m = Metrics {
            scans_started: Family::default(),
            scans_finished: Family::default(),
            scans_failed: Family::default(),
            scan_duration: Family::new_with_constructor(scan_histogram),
            plugin_errors: Family::default(),
            fuel_used: Counter::default(),
            collection_errors: Family::default(),
            requests: Family::default(),
            request_duration: Family::new_with_constructor(request_histogram),
            webhook_deliveries: Family::default(),
            queue: Family::default(),
            registry: Registry::default(),
        };
        registry.register(
            "scans_started",
            "Scans a worker of this process took up, by source (demo, snapshot, accounts)",
            m.scans_started.clone(),
        );
        registry.register("scans_finished", "Scans this process finished and stored, by source", m.scans_finished.clone());
        registry.register("scans_failed", "Scans this process failed (bad input, nothing collected), by source", m.scans_failed.clone());
        registry.register("scan_duration_seconds", "Time from a scan's start to its stored result, by source", m.scan_duration.clone());
        registry.register(
            "plugin_errors",
            "Plugin evaluations that failed, by kind (fuel_exhausted, timeout, memory_limit, trap, ...)",
            m.plugin_errors.clone(),
        );
        registry.register(
            "plugin_fuel_used",
            "Fuel the plugins of finished scans burned (deterministic units of work)",
            m.fuel_used.clone(),
        );
        registry.register("collection_errors", "What live collection could not read, by AWS service", m.collection_errors.clone());
        registry.register("http_requests", "API and portal requests answered, by method, route template and status", m.requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, by method and route template",
            m.request_duration.clone(),
        );
        registry.register(
            "webhook_deliveries",
            "Webhook delivery attempts, by outcome (delivered, retrying, gave_up)",
            m.webhook_deliveries.clone(),
        );
        registry.register("queue_depth", "Scans in the database waiting for a worker or running, by status, when scraped", m.queue.clone());
        Metrics { registry, ..m }
    }

    /// A worker took up a scan.
    pub fn scan_started(&self, source: &str) {
        self.scans_started.get_or_create(&Source { source: source.into() }).inc();
    }

    /// A scan's result was stored, after `took`; with what its plugins and collection
    /// reported: each failed evaluation's kind, the fuel burned, each unread service.
    pub fn scan_finished<'a>(
        &self,
        source: &str,
        took: Duration,
        plugin_error_kinds: impl IntoIterator<Item = &'a str>,
        fuel_used: u64,
        collection_error_services: impl IntoIterator<Item = &'a str>,
    ) {
        let source = Source { source: source.into() };
        self.scans_finished.get_or_create(&source).inc();
        self.scan_duration.get_or_create(&source).observe(took.as_secs_f64());
        for kind in plugin_error_kinds {
            self.plugin_errors.get_or_create(&Kind { kind: kind.into() }).inc();
        }
        self.fuel_used.inc_by(fuel_used);
        for service in collection_error_services {
            self.collection_errors.get_or_create(&Service { service: service.into() }).inc();
        }
    }

    /// A scan failed as a whole.
    pub fn scan_failed(&self, source: &str) {
        self.scans_failed.get_or_create(&Source { source: source.into() }).inc();
    }

    /// A request was answered. `route` is its route's template (`/v1/tenants/{id}`), or
    /// `unmatched`: never the path itself, whose ids would make a series per tenant.
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let (method, route) = (method.to_string(), route.to_string());
        self.requests.get_or_create(&Request { method: method.clone(), route: route.clone(), status: status.to_string() }).inc();
        self.request_duration.get_or_create(&RouteOf { method, route }).observe(took.as_secs_f64());
    }

    /// A webhook delivery attempt ended.
    pub fn webhook_delivery(&self, outcome: Delivery) {
        let outcome = match outcome {
            Delivery::Delivered => "delivered",
            Delivery::Retrying => "retrying",
            Delivery::GaveUp => "gave_up",
        };
        self.webhook_deliveries.get_or_create(&Outcome { outcome: outcome.into() }).inc();
    }

    /// The queue as the database has it now (set just before a scrape renders).
    pub fn set_queue(&self, queued: u64, running: u64) {
        self.queue.get_or_create(&Status { status: "queued".into() }).set(queued as i64);
        self.queue.get_or_create(&Status { status: "running".into() }).set(running as i64);
    }

    /// Everything, in the Prometheus text format ([`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

/// The value of one series in a scrape's text: `series` is the metric's name with its
/// labels as the text writes them (`securebase_scans_started_total{source="demo"}`).
pub fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// The process's metrics, which the service and its workers record into.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_declared_with_help_and_type() {
        // A family shows once it has a series: record into each.
        let m = Metrics::new();
        m.scan_started("demo");
        m.scan_finished("demo", Duration::from_secs(1), ["trap"], 1, ["ec2"]);
        m.scan_failed("demo");
        m.request("GET", "/healthz", 200, Duration::from_millis(1));
        m.webhook_delivery(Delivery::Delivered);
        m.set_queue(0, 0);
        let text = m.render();
        let names: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("# TYPE ")).collect();
        assert_eq!(names.len(), 11, "{text}");
        for line in &names {
            let name = line.split(' ').next().unwrap();
            assert!(name.starts_with("securebase_"), "{name}");
            assert!(text.contains(&format!("# HELP {name} ")), "{name} has no help");
        }
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn recordings_show_in_the_text_by_their_labels() {
        let m = Metrics::new();
        m.scan_started("demo");
        m.scan_started("demo");
        m.scan_finished("demo", Duration::from_millis(2500), ["trap", "trap", "fuel_exhausted"], 1234, ["ec2"]);
        m.scan_failed("snapshot");
        m.request("GET", "/v1/tenants/{id}", 200, Duration::from_millis(3));
        m.request("GET", "/v1/tenants/{id}", 404, Duration::from_millis(30));
        m.webhook_delivery(Delivery::GaveUp);
        m.set_queue(3, 1);
        let text = m.render();
        for (series, value) in [
            (r#"securebase_scans_started_total{source="demo"}"#, 2.0),
            (r#"securebase_scans_finished_total{source="demo"}"#, 1.0),
            (r#"securebase_scans_failed_total{source="snapshot"}"#, 1.0),
            (r#"securebase_scan_duration_seconds_count{source="demo"}"#, 1.0),
            (r#"securebase_scan_duration_seconds_bucket{le="5.0",source="demo"}"#, 1.0),
            (r#"securebase_scan_duration_seconds_bucket{le="1.0",source="demo"}"#, 0.0),
            (r#"securebase_plugin_errors_total{kind="trap"}"#, 2.0),
            (r#"securebase_plugin_errors_total{kind="fuel_exhausted"}"#, 1.0),
            ("securebase_plugin_fuel_used_total", 1234.0),
            (r#"securebase_collection_errors_total{service="ec2"}"#, 1.0),
            (r#"securebase_http_requests_total{method="GET",route="/v1/tenants/{id}",status="404"}"#, 1.0),
            (r#"securebase_http_request_duration_seconds_count{method="GET",route="/v1/tenants/{id}"}"#, 2.0),
            (r#"securebase_webhook_deliveries_total{outcome="gave_up"}"#, 1.0),
            (r#"securebase_queue_depth{status="queued"}"#, 3.0),
        ] {
            assert_eq!(sample(&text, series), Some(value), "{series} in\n{text}");
        }
    }
}
