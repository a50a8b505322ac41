//! The collection benchmark behind `securebase-bench collect`: an organization of N
//! accounts in moto (AWS Organizations plus `tests/moto/seed.py`'s mix of resources in
//! every account), discovered and collected through each member's role exactly as
//! `securebase collect` does, with the figures that size a deployment: accounts per
//! minute, API calls per account, items, error entries, peak memory, and how the CPU
//! time splits between this process and the mock (which, on one machine, is most of it).

use securebase_collect::{AccountsFile, CallLog, CollectOptions};
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What can stop the benchmark before it measures anything.
#[derive(Debug, thiserror::Error)]
pub enum CollectBenchError {
    /// moto could not be started (not installed, or it never listened).
    #[error("starting moto (`python3 -m moto.server`; install it with `pip install 'moto[server]'`): {0}")]
    Moto(String),
    /// The seeding script failed.
    #[error("seeding the organization with {script}: {why}")]
    Seed {
        /// The script run.
        script: String,
        /// What went wrong.
        why: String,
    },
    /// Discovery through AWS Organizations failed.
    #[error("listing the organization's accounts: {0}")]
    Discover(String),
}

/// moto's server on a loopback port, stopped when dropped.
pub struct Moto {
    child: Child,
    /// Its endpoint URL.
    pub url: String,
}

impl Moto {
    /// Starts `python3 -m moto.server` on a free loopback port (without moto's thousands of
    /// default AMIs, ACM certificates issued as soon as requested) and waits until it answers.
    pub fn start() -> Result<Self, CollectBenchError> {
        let port =
            TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| CollectBenchError::Moto(e.to_string()))?.port();
        let child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
            // moto turns a requested certificate from PENDING_VALIDATION to ISSUED a
            // minute after the request (by default): two collections of one seeded
            // account taken either side of that minute disagreed. Issued at once, always.
            .env("MOTO_ACM_VALIDATION_WAIT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| CollectBenchError::Moto(e.to_string()))?;
        let mut moto = Self { child, url: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                return Err(CollectBenchError::Moto(format!("it exited with {status}")));
            }
            if Instant::now() > deadline {
                return Err(CollectBenchError::Moto("it did not listen within 60 s".into()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(moto)
    }

    /// CPU time moto has used so far (Linux; zero elsewhere).
    pub fn cpu(&self) -> Duration {
        cpu_of(&format!("/proc/{}/stat", self.child.id()))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User plus system CPU time of a process from its `/proc/PID/stat` (fields 14 and 15,
/// in the kernel's fixed 100 Hz user-visible ticks).
pub(crate) fn cpu_of(stat: &str) -> Duration {
    Duration::from_millis(ticks_of(stat).unwrap_or(0) * 10)
}

fn ticks_of(stat: &str) -> Option<u64> {
    let s = std::fs::read_to_string(stat).ok()?;
    // The command name (field 2) may hold spaces: count from after its ')'.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// This process's CPU time so far.
pub fn own_cpu() -> Duration {
    cpu_of("/proc/self/stat")
}

/// `tests/moto/organization.py` of this checkout.
pub fn default_seed_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/moto/organization.py")
}

/// Creates an organization of `accounts` accounts in moto and seeds each; returns their ids
/// (the management account first). The script's progress goes to this process's stderr.
pub fn seed(url: &str, accounts: usize, script: &Path) -> Result<Vec<String>, CollectBenchError> {
    let fail = |why: String| CollectBenchError::Seed { script: script.display().to_string(), why };
    let out = Command::new("python3")
        .arg(script)
        .arg(url)
        .arg(accounts.to_string())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| fail(e.to_string()))?;
    if !out.status.success() {
        return Err(fail(format!("it exited with {}", out.status)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| fail(format!("expected a JSON list of account ids on stdout: {e}")))
}

/// How to collect.
#[derive(Debug, Clone)]
pub struct CollectBench {
    /// The endpoint (moto).
    pub url: String,
    /// Regions of every account.
    pub regions: Vec<String>,
    /// Accounts collected at once (`securebase collect --concurrency`).
    pub concurrency: usize,
    /// Attempts per call (`securebase collect --max-attempts`).
    pub max_attempts: u32,
}

/// What one collection of the organization measured.
#[derive(Debug, Clone, Default)]
pub struct CollectMeasurement {
    /// Accounts discovered through Organizations.
    pub accounts: usize,
    /// Accounts with an inventory.
    pub collected: usize,
    /// Time to list the organization's accounts.
    pub discovery: Duration,
    /// Wall-clock time of the collection of every account.
    pub wall: Duration,
    /// API operations called (retries of one operation count once).
    pub calls: u64,
    /// Requests sent: the operations and their retries.
    pub attempts: u64,
    /// Distinct IAM actions among them.
    pub actions: usize,
    /// Configuration items collected.
    pub items: u64,
    /// Error entries, by service.
    pub errors: BTreeMap<String, u64>,
    /// This process's CPU time during the collection.
    pub cpu: Duration,
    /// Peak resident memory of this process, bytes.
    pub peak_rss: u64,
}

/// Discovers the organization and collects every account, as `securebase collect` does.
/// Credentials come from the environment, as for `securebase collect`.
pub async fn collect(b: &CollectBench) -> Result<CollectMeasurement, CollectBenchError> {
    let regions = b.regions.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>().join(", ");
    let file = AccountsFile::parse(
        &format!("[organization]\nrole_name = \"OrganizationAccountAccessRole\"\nregions = [{regions}]\n"),
        "the benchmark's organization",
    )
    .map_err(|e| CollectBenchError::Discover(e.to_string()))?;
    let mut options = CollectOptions { endpoint_url: Some(b.url.clone()), max_attempts: b.max_attempts, ..Default::default() };
    let started = Instant::now();
    let file = securebase_collect::discover(&file, &options).await.map_err(|e| CollectBenchError::Discover(e.message))?;
    let discovery = started.elapsed();

    let calls = CallLog::default();
    options.calls = Some(calls.clone());
    let cpu0 = own_cpu();
    let started = Instant::now();
    let total = file.accounts.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let collections = securebase_collect::collect_all(&file, &options, b.concurrency, &|_| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n.is_multiple_of(10) || n == total {
            eprintln!("collected {n}/{total} accounts ({:.0} s)", started.elapsed().as_secs_f64());
        }
    })
    .await;
    let wall = started.elapsed();
    let mut m = CollectMeasurement {
        accounts: total,
        collected: collections.iter().filter(|c| c.inventory.is_some()).count(),
        discovery,
        wall,
        calls: calls.total(),
        attempts: calls.attempts(),
        actions: calls.actions().len(),
        cpu: own_cpu().saturating_sub(cpu0),
        ..Default::default()
    };
    for c in &collections {
        m.items += c.inventory.as_ref().map_or(0, |i| i.len() as u64);
        for e in &c.errors {
            *m.errors.entry(e.service.clone()).or_default() += 1;
        }
    }
    m.peak_rss = crate::peak_rss();
    Ok(m)
}

impl CollectMeasurement {
    /// The figures, one per line.
    pub fn render(&self, b: &CollectBench) -> String {
        let n = self.accounts.max(1) as f64;
        let secs = self.wall.as_secs_f64();
        let errors = self.errors.iter().map(|(s, k)| format!("{s} {k}")).collect::<Vec<_>>().join(", ");
        let mut out = format!(
            "accounts: {} discovered through Organizations ({:.2} s), {} collected; {} region(s) each, {} at a time\n",
            self.accounts,
            self.discovery.as_secs_f64(),
            self.collected,
            b.regions.len(),
            b.concurrency
        );
        out += &format!("collection: {secs:.1} s wall, {:.1} accounts/min, {:.2} s per account\n", n * 60.0 / secs.max(1e-9), secs / n);
        out += &format!(
            "API calls: {} ({:.1} per account; {} distinct IAM actions); {} retries (at most {} attempts a call)\n",
            self.calls,
            self.calls as f64 / n,
            self.actions,
            self.attempts.saturating_sub(self.calls),
            b.max_attempts
        );
        out += &format!("items: {} ({:.1} per account)\n", self.items, self.items as f64 / n);
        out += &format!("error entries: {} ({})\n", self.errors.values().sum::<u64>(), if errors.is_empty() { "none" } else { &errors });
        out += &format!("CPU: {:.1} s (this process)\n", self.cpu.as_secs_f64());
        out += &format!("peak memory: {:.1} MiB (this process)\n", self.peak_rss as f64 / (1024.0 * 1024.0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_read_after_a_command_name_with_spaces_and_parentheses() {
        let dir = tempfile::tempdir().unwrap();
        let stat = dir.path().join("stat");
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        std::fs::write(&stat, "42 (python3 (moto) x) S 1 42 42 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 1 0").unwrap();
        assert_eq!(cpu_of(stat.to_str().unwrap()), Duration::from_millis(2810));
        assert_eq!(cpu_of("/nonexistent/stat"), Duration::ZERO);
        // The kernel's own file has the layout read here (a test process may not have
        // used a whole 10 ms tick yet, so only that it parses is asserted).
        assert!(ticks_of("/proc/self/stat").is_some());
    }

    #[test]
    fn the_figures_are_per_account() {
        let b = CollectBench {
            url: "http://127.0.0.1:1".into(),
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            concurrency: 8,
            max_attempts: 5,
        };
        let m = CollectMeasurement {
            accounts: 20,
            collected: 20,
            wall: Duration::from_secs(30),
            calls: 4000,
            attempts: 4160,
            actions: 90,
            items: 1200,
            errors: [("ssm".to_string(), 20), ("macie2".to_string(), 20)].into(),
            ..Default::default()
        };
        let text = m.render(&b);
        assert!(text.contains("20 discovered through Organizations"), "{text}");
        assert!(text.contains("30.0 s wall, 40.0 accounts/min, 1.50 s per account"), "{text}");
        assert!(text.contains("API calls: 4000 (200.0 per account; 90 distinct IAM actions); 160 retries"), "{text}");
        assert!(text.contains("items: 1200 (60.0 per account)"), "{text}");
        assert!(text.contains("error entries: 40 (macie2 20, ssm 20)"), "{text}");
    }
}
