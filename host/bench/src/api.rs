//! The API benchmark: seed a database with many tenants and a large scan each, serve the
//! real router on a loopback port, and drive `GET .../compliance-report` at a fixed
//! request rate from an open-loop load generator (latency is counted from when each
//! request was due, so a slow server cannot hide its queue), then print percentiles.

use securebase_api::{ApiConfig, AppState};
use securebase_scan::{ScanReport, Scanner};
use securebase_store::{KeyKind, NewTenant, Store, Tier};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What to measure.
#[derive(Debug, Clone)]
pub struct ApiBench {
    /// Tenants to create.
    pub tenants: usize,
    /// Findings in each tenant's scan (about: whole accounts of the synthetic org).
    pub findings_per_tenant: usize,
    /// Requests per second to send.
    pub rate: u32,
    /// How long to send them.
    pub duration: Duration,
    /// Keep-alive connections the generator uses.
    pub connections: usize,
}

/// What was measured.
#[derive(Debug, Clone)]
pub struct ApiMeasurement {
    /// Findings stored across tenants.
    pub findings: u64,
    /// Seeding time.
    pub seed: Duration,
    /// Requests sent.
    pub sent: usize,
    /// 200 answers.
    pub ok: usize,
    /// Latencies of the answers, sorted.
    pub latencies: Vec<Duration>,
    /// Each answer's due time (from the start of the load) and latency, in due order.
    pub timeline: Vec<(Duration, Duration)>,
    /// Wall time of the load phase.
    pub elapsed: Duration,
}

/// The `q` quantile (0 to 1) of sorted latencies; zero for none.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

/// What one load phase gave: (due time, latency) of each answer, the 200s, its wall time.
pub struct Load {
    /// Each answer's due time from the start and its latency.
    pub timeline: Vec<(Duration, Duration)>,
    /// 200 answers.
    pub ok: usize,
    /// Wall time.
    pub elapsed: Duration,
}

impl ApiMeasurement {
    /// The measurement of a load phase.
    pub fn of(load: Load, findings: u64, seed: Duration) -> Self {
        let mut timeline = load.timeline;
        timeline.sort();
        let mut latencies: Vec<Duration> = timeline.iter().map(|t| t.1).collect();
        latencies.sort();
        Self { findings, seed, sent: latencies.len().max(load.ok), ok: load.ok, latencies, timeline, elapsed: load.elapsed }
    }

    /// p99 of each successive `window` of the load, as `0-5 s 3.1 ms, 5-10 s ...`: where
    /// in the run the slow answers were (a cold start, a checkpoint, a steady queue).
    pub fn p99_by_window(&self, window: Duration) -> String {
        let mut out = vec![];
        let mut start = Duration::ZERO;
        while start < self.timeline.last().map_or(Duration::ZERO, |t| t.0 + Duration::from_nanos(1)) {
            let end = start + window;
            let mut l: Vec<Duration> = self.timeline.iter().filter(|t| t.0 >= start && t.0 < end).map(|t| t.1).collect();
            if !l.is_empty() {
                l.sort();
                let p99 = quantile(&l, 0.99);
                out.push(format!("{}-{} s {:.1} ms", start.as_secs(), end.as_secs(), p99.as_secs_f64() * 1e3));
            }
            start = end;
        }
        out.join(", ")
    }

    /// The `q` quantile (0 to 1) of latency.
    pub fn quantile(&self, q: f64) -> Duration {
        quantile(&self.latencies, q)
    }

    /// Its latency percentiles, as one line's end: `p50 ...  p90 ...  p99 ...  max ...`.
    pub fn latency(&self) -> String {
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        format!(
            "p50 {}  p90 {}  p99 {}  max {}",
            ms(self.quantile(0.5)),
            ms(self.quantile(0.9)),
            ms(self.quantile(0.99)),
            ms(self.latencies.last().copied().unwrap_or_default())
        )
    }

    /// A printable summary.
    pub fn render(&self, b: &ApiBench) -> String {
        format!(
            "Seeded {} tenants, {} findings in {:.1} s\n\
             GET /v1/tenants/{{id}}/compliance-report: {} requests at {} req/s target over {:.1} s ({:.1} req/s achieved), {} ok, {} errors\n\
             latency {}\n\
             p99 by 5 s of the run: {}\n",
            b.tenants,
            self.findings,
            self.seed.as_secs_f64(),
            self.sent,
            b.rate,
            self.elapsed.as_secs_f64(),
            self.ok as f64 / self.elapsed.as_secs_f64(),
            self.ok,
            self.sent - self.ok,
            self.latency(),
            self.p99_by_window(Duration::from_secs(5)),
        )
    }
}

/// A scan document with about `findings` findings: the synthetic organization, scanned
/// account by account until it has that many.
pub fn synthetic_report(scanner: &Scanner, findings: usize) -> ScanReport {
    let mut accounts = 1u64;
    loop {
        let generator = crate::Generator { accounts, resources_per_account: 200, seed: 7 };
        let snapshot = securebase_inventory::Snapshot { source: "bench".into(), accounts: generator.accounts().collect() };
        let report = scanner.scan(snapshot, &|_| {});
        let n: usize = report.accounts.iter().map(|a| a.findings.len()).sum();
        if n >= findings || accounts >= 1000 {
            return report;
        }
        let per_account = (n / accounts as usize).max(1);
        accounts = (findings.div_ceil(per_account) as u64).max(accounts + 1);
    }
}

/// A seeded tenant and its key.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The tenant.
    pub tenant: String,
    /// Its (manage) key's id.
    pub key_id: String,
    /// Its bearer token.
    pub token: String,
}

/// Seeds `store` with tenants that each own `scans` finished scans like `report`.
pub async fn seed(store: &Store, report: &ScanReport, tenants: usize, scans: usize, progress: &dyn Fn(usize)) -> Vec<Seeded> {
    let mut out = vec![];
    for i in 0..tenants {
        let t = store
            .create_tenant(&NewTenant {
                name: format!("Bench tenant {i}"),
                tier: Tier::Standard,
                framework: "cis-aws-foundations".into(),
                organization: format!("Bench Org {i}"),
                contact_email: format!("ops{i}@bench.example"),
                billing_code: format!("B-{i}"),
                accounts: vec![],
            })
            .await
            .expect("seed tenant");
        let key = store.create_key(&KeyKind::Tenant(t.id.clone()), "bench").await.expect("seed key");
        for _ in 0..scans.max(1) {
            let scan = store.create_scan(&t.id, "bench", "bench").await.expect("seed scan");
            store.finish_scan(&t.id, &scan.id, report, None).await.expect("seed findings");
        }
        out.push(Seeded { tenant: t.id, key_id: key.id, token: key.token });
        progress(i + 1);
    }
    out
}

/// Serves the API on a loopback port and drives `GET .../compliance-report` of the
/// seeded tenants; returns the latencies, the 200 answers and the load phase's time.
pub async fn load(store: Store, scanner: Arc<Scanner>, targets: &[Seeded], b: &ApiBench) -> Load {
    let state = AppState::new(store, scanner, ApiConfig { rate_limit_per_minute: 0, ..ApiConfig::default() });
    let requests: Vec<String> = targets
        .iter()
        .map(|s| {
            let (tenant, token) = (&s.tenant, &s.token);
            format!("GET /v1/tenants/{tenant}/compliance-report HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\r\n")
        })
        .collect();
    drive(securebase_api::router(state), requests, b).await
}

/// Serves `app` on a loopback port and sends `requests` (raw HTTP/1.1, taken in turn)
/// at `b.rate` from `b.connections` keep-alive connections for `b.duration`.
pub async fn drive(app: axum::Router, requests: Vec<String>, b: &ApiBench) -> Load {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().unwrap();
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let total = (f64::from(b.rate) * b.duration.as_secs_f64()) as usize;
    let (tx, rx) = tokio::sync::mpsc::channel::<(Instant, usize)>(total.max(1));
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    let requests: Arc<Vec<String>> = Arc::new(requests);
    let mut workers = tokio::task::JoinSet::new();
    let start = Instant::now();
    for _ in 0..b.connections {
        let rx = rx.clone();
        let requests = requests.clone();
        workers.spawn(async move {
            let mut conn = TcpStream::connect(addr).await.expect("connect");
            conn.set_nodelay(true).ok();
            let mut lat = vec![];
            let mut ok = 0;
            loop {
                let next = rx.lock().await.recv().await;
                let Some((due, i)) = next else { break };
                let req = &requests[i % requests.len()];
                match roundtrip(&mut conn, req.as_bytes()).await {
                    Some(200) => ok += 1,
                    Some(_) => {}
                    None => {
                        conn = TcpStream::connect(addr).await.expect("reconnect");
                        continue;
                    }
                }
                lat.push((due - start, due.elapsed()));
            }
            (lat, ok)
        });
    }
    let interval = Duration::from_secs_f64(1.0 / f64::from(b.rate));
    for i in 0..total {
        let due = start + interval * i as u32;
        tokio::time::sleep_until(due.into()).await;
        if tx.send((due, i)).await.is_err() {
            break;
        }
    }
    drop(tx);
    let mut timeline = vec![];
    let mut ok = 0;
    while let Some(r) = workers.join_next().await {
        let (l, o) = r.expect("worker");
        timeline.extend(l);
        ok += o;
    }
    let elapsed = start.elapsed();
    server.abort();
    Load { timeline, ok, elapsed }
}

/// One request on a keep-alive connection; the status, or `None` if the connection broke.
async fn roundtrip(conn: &mut TcpStream, req: &[u8]) -> Option<u16> {
    conn.write_all(req).await.ok()?;
    let mut buf = Vec::with_capacity(64 << 10);
    let mut chunk = [0u8; 16 << 10];
    let head_end = loop {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let len: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok())?;
    while buf.len() < head_end + len {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(status)
}
