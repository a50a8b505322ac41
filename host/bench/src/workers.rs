//! The scan-across-workers benchmark behind `securebase-bench workers`: one tenant whose
//! accounts are an organization in moto (seeded as `securebase-bench collect` seeds it),
//! one scan of all of them run by 1, 2, 4... `securebase worker` processes sharing one
//! PostgreSQL database, the scan split into account batches. It prints, per worker count,
//! the scan's wall time (queued to stored), accounts per minute overall and per worker,
//! how the batches spread over the workers, the time from the last batch stored to the
//! scan stored (scoring, evaluating what no batch evaluated, and the write), and the CPU of the workers and of the
//! mock: on one machine the single-process mock is what stops the scaling first.

use securebase_store::{NewScan, NewTenant, ScanStatus, Store, StoreError, TenantAccount, TenantPatch, Tier};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What can stop the benchmark.
#[derive(Debug, thiserror::Error)]
pub enum WorkersBenchError {
    /// A worker process could not be started.
    #[error("starting `{binary} worker`: {why} (build it first: cargo build --release -p securebase)")]
    Spawn {
        /// The binary run.
        binary: String,
        /// What went wrong.
        why: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The scan did not succeed.
    #[error("the scan {scan} ended {status}: {error}")]
    Scan {
        /// Its id.
        scan: String,
        /// How it ended.
        status: String,
        /// Its error.
        error: String,
    },
}

/// How to run the workers.
#[derive(Debug, Clone)]
pub struct WorkersBench {
    /// The `securebase` binary.
    pub securebase: PathBuf,
    /// The service's database (PostgreSQL: workers share it).
    pub database_url: String,
    /// Its owner's URL for migrations, if another.
    pub migration_database_url: Option<String>,
    /// moto.
    pub endpoint_url: String,
    /// Regions collected in every account.
    pub regions: Vec<String>,
    /// Accounts per batch (`securebase worker --batch-accounts`).
    pub batch_accounts: usize,
}

/// One scan with `workers` workers.
#[derive(Debug, Clone)]
pub struct WorkersMeasurement {
    /// Worker processes.
    pub workers: usize,
    /// Accounts scanned (in the stored scan).
    pub accounts: u64,
    /// Resources evaluated.
    pub resources: u64,
    /// Queued to stored.
    pub wall: Duration,
    /// Queued to the last batch stored (collection).
    pub collected: Duration,
    /// Batches and accounts each worker stored, by worker name.
    pub by_worker: BTreeMap<String, (usize, usize)>,
    /// Batches planned.
    pub batches: usize,
    /// CPU time of all workers during the scan (start-up excluded).
    pub workers_cpu: Duration,
    /// The largest worker's peak resident memory, KiB.
    pub worker_peak_kib: u64,
    /// CPU time of the mock during the scan.
    pub mock_cpu: Duration,
}

/// A tenant listing every account, each reached through its `OrganizationAccountAccessRole`.
pub async fn tenant(store: &Store, accounts: &[String], regions: &[String]) -> Result<String, StoreError> {
    let t = store
        .create_tenant(&NewTenant {
            name: "Bench".into(),
            tier: Tier::Fintech,
            framework: "soc2".into(),
            organization: "Bench Inc.".into(),
            contact_email: "ciso@example.org".into(),
            billing_code: "BENCH".into(),
            accounts: vec![],
        })
        .await?;
    let accounts = accounts
        .iter()
        .map(|id| TenantAccount {
            account_id: id.clone(),
            name: None,
            regions: regions.to_vec(),
            role_arn: Some(format!("arn:aws:iam::{id}:role/OrganizationAccountAccessRole")),
        })
        .collect();
    store.update_tenant(&t.id, &TenantPatch { accounts: Some(accounts), ..Default::default() }).await?;
    Ok(t.id)
}

/// A `securebase worker` process, killed when dropped (the end-to-end tests run theirs
/// with this too).
pub struct WorkerProcess {
    child: Child,
}

impl WorkerProcess {
    /// Runs `BINARY worker ARGS` with `env` set (an empty value removes the variable) and
    /// without `SECUREBASE_SECRET_KEY`, and waits until it says it waits for scans (its
    /// plugins compiled or read from the cache); its log is drained after.
    pub fn spawn(binary: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<Self, WorkersBenchError> {
        let fail = |why: String| WorkersBenchError::Spawn { binary: binary.display().to_string(), why };
        let mut cmd = Command::new(binary);
        cmd.arg("worker").args(args).env_remove("SECUREBASE_SECRET_KEY").stdout(Stdio::null()).stderr(Stdio::piped());
        for (name, value) in env {
            match value.is_empty() {
                true => cmd.env_remove(name),
                false => cmd.env(name, value),
            };
        }
        let mut child = cmd.spawn().map_err(|e| fail(e.to_string()))?;
        let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("SecureBase worker") => break,
                Some(Ok(_)) => {}
                _ => {
                    let _ = child.kill();
                    let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                    return Err(fail(format!("it exited ({status}) before it was ready")));
                }
            }
        }
        // Keep draining its log so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Ok(Self { child })
    }

    /// Kills it outright (SIGKILL: no chance to clean up) and reaps it.
    pub fn kill(&mut self) -> std::io::Result<()> {
        self.child.kill()?;
        self.child.wait().map(|_| ())
    }

    /// Asks it to stop as an operator's service manager does (SIGTERM) and waits up to
    /// `within` for it to exit: its exit status, or `None` if it is still running.
    pub fn terminate(&mut self, within: Duration) -> std::io::Result<Option<std::process::ExitStatus>> {
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status()?;
        if !sent.success() {
            return Err(std::io::Error::other(format!("kill -TERM {} failed ({sent})", self.child.id())));
        }
        let start = std::time::Instant::now();
        while start.elapsed() < within {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Some(status));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(None)
    }

    /// One of the benchmark's workers, on moto with the credentials it takes.
    fn start(b: &WorkersBench, id: &str) -> Result<Self, WorkersBenchError> {
        let batch = b.batch_accounts.to_string();
        let args =
            ["--id", id, "--database-url", &b.database_url, "--no-migrate", "--batch-accounts", &batch, "--endpoint-url", &b.endpoint_url];
        let env = [
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_PROFILE", ""),
            ("AWS_SESSION_TOKEN", ""),
        ];
        Self::spawn(&b.securebase, &args, &env)
    }

    fn cpu(&self) -> Duration {
        crate::collect::cpu_of(&format!("/proc/{}/stat", self.child.id()))
    }

    fn peak_kib(&self) -> u64 {
        crate::run::peak_rss_of(&self.child.id().to_string()) / 1024
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `workers` workers, queues one scan of the tenant's accounts and waits until it
/// is stored; `mock_cpu` reads the mock's CPU time so far.
pub async fn run(
    b: &WorkersBench,
    store: &Store,
    tenant: &str,
    workers: usize,
    mock_cpu: &dyn Fn() -> Duration,
) -> Result<WorkersMeasurement, WorkersBenchError> {
    let procs = (1..=workers).map(|i| WorkerProcess::start(b, &format!("w{i}"))).collect::<Result<Vec<_>, _>>()?;
    let cpu_before: Duration = procs.iter().map(WorkerProcess::cpu).sum();
    let mock_before = mock_cpu();
    let new = NewScan { source: "accounts".into(), scope: "accounts".into(), input: None, requested_by: "bench".into(), schedule_id: None };
    let started = Instant::now();
    let scan = store.enqueue_scan(tenant, &new).await?.id;
    let mut collected = None;
    let row = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if collected.is_none() {
            let p = store.batch_progress(tenant, &scan).await?;
            if p.total > 0 && p.settled() {
                collected = Some(started.elapsed());
            }
        }
        let row = store.get_scan(tenant, &scan).await?.expect("the scan just queued");
        if matches!(row.status, ScanStatus::Succeeded | ScanStatus::Failed) {
            break row;
        }
    };
    let wall = started.elapsed();
    let workers_cpu = procs.iter().map(WorkerProcess::cpu).sum::<Duration>().saturating_sub(cpu_before);
    let mock = mock_cpu().saturating_sub(mock_before);
    let worker_peak_kib = procs.iter().map(WorkerProcess::peak_kib).max().unwrap_or(0);
    drop(procs);
    if row.status != ScanStatus::Succeeded {
        return Err(WorkersBenchError::Scan {
            scan,
            status: format!("{:?}", row.status).to_lowercase(),
            error: row.error.unwrap_or_default(),
        });
    }
    let batches = store.scan_batches(tenant, &scan, false).await?;
    let mut by_worker: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for batch in &batches {
        let e = by_worker.entry(batch.worker.clone().unwrap_or_else(|| "(none)".into())).or_default();
        e.0 += 1;
        e.1 += batch.accounts.len();
    }
    Ok(WorkersMeasurement {
        workers,
        accounts: row.accounts.unwrap_or(0).max(0) as u64,
        resources: row.resources.unwrap_or(0).max(0) as u64,
        wall,
        collected: collected.unwrap_or(wall),
        by_worker,
        batches: batches.len(),
        workers_cpu,
        worker_peak_kib,
        mock_cpu: mock,
    })
}

impl WorkersMeasurement {
    /// Accounts per minute, queued to stored.
    pub fn accounts_per_minute(&self) -> f64 {
        self.accounts as f64 * 60.0 / self.wall.as_secs_f64().max(1e-9)
    }

    /// One line of the table.
    pub fn render(&self) -> String {
        let split = self.batches > 0;
        let spread = match split {
            true => self.by_worker.iter().map(|(w, (b, a))| format!("{w} {b}/{a}")).collect::<Vec<_>>().join(", "),
            false => "(not split: one worker collected and evaluated)".into(),
        };
        // An unsplit scan has no moment when its last batch was stored.
        let seconds = |d: Duration| if split { format!("{:.1} s", d.as_secs_f64()) } else { "-".into() };
        format!(
            "{:>7}  {:>7.1} s  {:>11}  {:>8.1}  {:>10.1}  {:>10}  {:>7.1} s  {:>7.1} s  {:>6} MiB  {spread}\n",
            self.workers,
            self.wall.as_secs_f64(),
            seconds(self.collected),
            self.accounts_per_minute(),
            self.accounts_per_minute() / self.workers as f64,
            seconds(self.wall.saturating_sub(self.collected)),
            self.workers_cpu.as_secs_f64(),
            self.mock_cpu.as_secs_f64(),
            self.worker_peak_kib / 1024,
        )
    }

    /// The table's heading, aligned with [`Self::render`]'s columns.
    pub fn header() -> String {
        format!(
            "{:>7}  {:>9}  {:>11}  {:>8}  {:>10}  {:>10}  {:>9}  {:>9}  {:>10}  {}\n",
            "workers", "wall", "collected", "acct/min", "per worker", "evaluated", "CPU", "mock CPU", "peak", "batches/accounts by worker"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_says_how_the_scan_spread() {
        let m = WorkersMeasurement {
            workers: 2,
            accounts: 100,
            resources: 11_000,
            wall: Duration::from_secs(60),
            collected: Duration::from_secs(55),
            by_worker: BTreeMap::from([("w1".into(), (6, 60)), ("w2".into(), (4, 40))]),
            batches: 10,
            workers_cpu: Duration::from_secs(20),
            worker_peak_kib: 200 * 1024,
            mock_cpu: Duration::from_secs(50),
        };
        assert_eq!(m.accounts_per_minute(), 100.0);
        let line = m.render();
        assert!(line.contains("100.0") && line.contains("50.0"), "{line}");
        assert!(line.contains("5.0 s"), "evaluation after the last batch: {line}");
        assert!(line.ends_with("w1 6/60, w2 4/40\n"), "{line}");
        let unsplit = WorkersMeasurement { workers: 1, batches: 0, by_worker: BTreeMap::new(), ..m.clone() }.render();
        assert!(unsplit.contains("  -  ") && unsplit.ends_with("(not split: one worker collected and evaluated)\n"), "{unsplit}");
        // Each heading ends where its column's figures end.
        let header = WorkersMeasurement::header();
        for (heading, figure) in [("acct/min", "100.0"), ("per worker", "50.0"), ("peak", "200 MiB")] {
            let end = |text: &str, what: &str| text.find(what).map(|i| i + what.len());
            assert_eq!(end(&header, heading), end(&line, figure), "{heading}:\n{header}{line}");
        }
    }
}
