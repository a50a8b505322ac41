//! Continuous scanning: scan jobs in the database shared by any number of workers,
//! schedules that queue scans, drift against the previous scan, webhooks, and the
//! progress events a client follows live.
//!
//! - [`worker`]: claims jobs with a renewed lease, runs them, stores result, drift,
//!   usage and notifications in one transaction (only while it still holds the lease).
//! - [`cron`] and [`Scheduler`]: five-field cron expressions in a time zone; due
//!   schedules queue a scan each, once, however many services run; exceptions about
//!   to expire are notified to their tenant's webhook (`exception.expiring`), once each.
//! - [`webhooks`]: HMAC-signed deliveries with exponential backoff, to the addresses
//!   [`egress`] allows (public ones over https, unless the operator lifts that).
//! - Progress events are rows (`scan_events`), so a client of any service instance sees
//!   the progress of a scan run by any worker.

pub mod cron;
pub mod egress;
pub mod webhooks;
pub mod worker;

pub use webhooks::{Deliverer, DeliveryPolicy, PER_TENANT, SecretKey};
pub use worker::{Worker, WorkerConfig, default_worker_id};

use securebase_store::{Job, Store, Tier, UsageEvent};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime};

/// The part of a scan's fuel `budget` that `n` of its `total` accounts may use: a split
/// scan's batches are evaluated apart, each with its accounts' share.
pub(crate) fn budget_share(budget: u64, n: usize, total: usize) -> u64 {
    if total == 0 || n >= total {
        return budget;
    }
    (u128::from(budget) * n as u128 / total as u128) as u64
}

/// A usage event of one unit for `tenant`, priced at `tier`.
pub fn usage_event(
    pricing: &securebase_billing::Pricing,
    tenant: &str,
    tier: Tier,
    kind: securebase_billing::EventKind,
    dedup_key: String,
    billable: bool,
    detail: String,
) -> UsageEvent {
    UsageEvent {
        dedup_key,
        tenant_id: tenant.into(),
        kind: kind.as_str().into(),
        quantity: 1,
        tier: tier.as_str().into(),
        unit_price_micros: pricing.unit_price(tier.as_str(), kind).0,
        billable,
        detail,
    }
}

/// Every account's collection errors, as a scan report lists them.
pub fn collection_entries(collections: &[securebase_collect::AccountCollection]) -> Vec<securebase_scan::CollectionErrorEntry> {
    collections
        .iter()
        .flat_map(|c| {
            c.errors.iter().map(|e| securebase_scan::CollectionErrorEntry {
                account_id: c.account_id.clone(),
                service: e.service.clone(),
                region: e.region.clone(),
                message: e.message.clone(),
            })
        })
        .collect()
}

/// How many days before an exception expires its tenant's webhook is told
/// (`exception.expiring`): time to renew the approval or fix the finding.
pub const EXPIRY_NOTICE_DAYS: i64 = 14;

/// Queues scans of due schedules, and notices of exceptions about to expire.
pub struct Scheduler {
    store: Store,
}

impl Scheduler {
    /// A scheduler over `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Queues a scan for each schedule due now; returns (tenant, scan) of each.
    pub async fn tick(&self) -> Result<Vec<(String, String)>, securebase_store::StoreError> {
        self.store.enqueue_due_schedules(SystemTime::now(), &cron::next_run).await
    }

    /// Queues an `exception.expiring` webhook notice for each exception expiring
    /// within [`EXPIRY_NOTICE_DAYS`], once per expiry date; returns (tenant, exception).
    pub async fn notify_expiring(&self) -> Result<Vec<(String, String)>, securebase_store::StoreError> {
        let today = securebase_inventory::time::now_rfc3339()[..10].to_string();
        self.store.queue_expiring_exceptions(&today, EXPIRY_NOTICE_DAYS).await
    }

    /// Ticks every `every` until `stop` turns true.
    pub async fn run(&self, every: Duration, stop: tokio::sync::watch::Receiver<bool>) {
        repeat(every, stop, || async {
            match self.tick().await {
                Ok(queued) => {
                    for (tenant, scan) in queued {
                        tracing::info!(%tenant, %scan, "scheduled scan queued");
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot queue scheduled scans"),
            }
            match self.notify_expiring().await {
                Ok(queued) => {
                    for (tenant, exception) in queued {
                        tracing::info!(%tenant, %exception, "exception.expiring notice queued");
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot queue exception.expiring notices"),
            }
        })
        .await
    }
}

/// Runs `tick` every `every` until `stop` turns true (or its sender is gone).
pub(crate) async fn repeat<F: Future<Output = ()>>(
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
    mut tick: impl FnMut() -> F,
) {
    while !*stop.borrow() {
        tick().await;
        if pause(every, &mut stop).await {
            return;
        }
    }
}

/// Waits `every`, less if a stop comes; `true` when the caller should stop: asked to,
/// or nobody is left to ask (a dropped sender would otherwise wake it at once, forever).
pub(crate) async fn pause(every: Duration, stop: &mut tokio::sync::watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(every) => {}
        changed = stop.changed() => if changed.is_err() { return true },
    }
    *stop.borrow()
}

/// Writes a scan's progress events. Evaluation reports progress from rayon threads;
/// those reports are buffered and written every quarter second, the latest of each
/// kind only (its counts are cumulative), so a scan of many accounts does not write
/// one row per account.
#[derive(Clone)]
pub(crate) struct ProgressWriter {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    tenant: String,
    scan: String,
    state: Mutex<Tally>,
    writing: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct Tally {
    pending: Vec<(&'static str, Value)>,
    findings: usize,
    failing: usize,
    evaluations: usize,
    /// Accounts reported done, counted here with their findings rather than taken from
    /// the scanner's own count: two threads finishing together may report out of order,
    /// and the buffer keeps only the latest event of a kind.
    accounts_done: usize,
}

impl Tally {
    /// Buffers `data` in place of the buffered event of its kind.
    fn replace(&mut self, kind: &'static str, data: Value) {
        self.pending.retain(|(k, _)| *k != kind);
        self.pending.push((kind, data));
    }
}

impl ProgressWriter {
    pub(crate) fn new(store: Store, job: &Job) -> Self {
        let inner = Arc::new(Inner {
            store,
            tenant: job.tenant_id.clone(),
            scan: job.scan_id.clone(),
            state: Mutex::new(Tally::default()),
            writing: tokio::sync::Mutex::new(()),
        });
        let weak: Weak<Inner> = Arc::downgrade(&inner);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let Some(inner) = weak.upgrade() else { return };
                ProgressWriter { inner }.flush().await;
            }
        });
        Self { inner }
    }

    fn push(&self, kind: &'static str, data: Value) {
        self.inner.state.lock().expect("progress lock").replace(kind, data);
    }

    /// One account was collected.
    pub(crate) fn collected(&self, account: &str, errors: usize, done: usize, total: usize) {
        self.push("accounts_collected", json!({ "account_id": account, "errors": errors, "done": done, "total": total }));
    }

    /// One account was evaluated by every plugin.
    pub(crate) fn evaluated(&self, p: securebase_scan::Progress) {
        let securebase_scan::Progress::AccountDone { account_id, done: _, total, findings, failing, evaluations } = p;
        // Counted and buffered under one lock, so the buffered event always counts every
        // account reported so far, and their findings.
        let mut t = self.inner.state.lock().expect("progress lock");
        t.findings += findings;
        t.failing += failing;
        t.evaluations += evaluations;
        t.accounts_done += 1;
        let data = json!({
            "account_id": account_id,
            "accounts_done": t.accounts_done,
            "accounts_total": total,
            "plugins_evaluated": t.evaluations,
            "findings_so_far": t.findings,
            "failing_so_far": t.failing,
        });
        t.replace("account_evaluated", data);
    }

    /// Writes what is buffered.
    pub(crate) async fn flush(&self) {
        let _one_writer = self.inner.writing.lock().await;
        let pending = std::mem::take(&mut self.inner.state.lock().expect("progress lock").pending);
        for (kind, data) in pending {
            self.write(kind, &data).await;
        }
    }

    /// Writes an event now (after what is buffered).
    pub(crate) async fn event(&self, kind: &'static str, data: Value) {
        self.flush().await;
        let _one_writer = self.inner.writing.lock().await;
        self.write(kind, &data).await;
    }

    async fn write(&self, kind: &str, data: &Value) {
        // Progress is a courtesy: a failed write is logged, the scan goes on.
        if let Err(e) = self.inner.store.append_scan_event(&self.inner.tenant, &self.inner.scan, kind, data).await {
            tracing::warn!(scan = %self.inner.scan, error = %e, "cannot record scan progress");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_s_share_of_the_fuel_budget_is_its_share_of_the_accounts() {
        assert_eq!(budget_share(1000, 1, 3), 333);
        assert_eq!(budget_share(1000, 3, 3), 1000);
        assert_eq!(budget_share(u64::MAX, 5, 10), u64::MAX / 2);
        assert_eq!(budget_share(1000, 0, 3), 0);
        assert_eq!(budget_share(1000, 2, 0), 1000, "nothing to share with");
    }

    #[tokio::test]
    async fn loops_stop_when_asked_or_when_nobody_is_left_to_ask() {
        let (tx, rx) = tokio::sync::watch::channel(false);
        let ticks = std::sync::atomic::AtomicUsize::new(0);
        let stopper = async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            tx.send(true).unwrap();
        };
        let looping = repeat(Duration::from_secs(3600), rx, || async {
            ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        tokio::time::timeout(Duration::from_secs(5), async { tokio::join!(stopper, looping) }).await.expect("stops when asked");
        assert_eq!(ticks.load(std::sync::atomic::Ordering::Relaxed), 1);
        // A dropped sender ends the loop instead of waking it at once, forever.
        let (tx, rx) = tokio::sync::watch::channel(false);
        drop(tx);
        let ticks = std::sync::atomic::AtomicUsize::new(0);
        let looping = repeat(Duration::from_millis(1), rx, || async {
            ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        tokio::time::timeout(Duration::from_secs(5), looping).await.expect("stops without a sender");
        assert_eq!(ticks.load(std::sync::atomic::Ordering::Relaxed), 1);
    }

    /// Two threads finishing the last accounts together may report them out of order;
    /// the event left to write still counts every account and every finding.
    #[tokio::test]
    async fn the_progress_left_to_write_counts_every_account_reported() {
        let db = securebase_store::testing::fresh(securebase_store::Backend::Sqlite).await;
        let job = Job { tenant_id: "t".into(), scan_id: "s".into(), source: "demo".into(), scope: "demo".into(), input: None, attempt: 1 };
        let progress = ProgressWriter::new(db.store.clone(), &job);
        let done = |account: &str, done, findings| securebase_scan::Progress::AccountDone {
            account_id: account.into(),
            done,
            total: 3,
            findings,
            failing: 1,
            evaluations: 2,
        };
        progress.evaluated(done("a", 1, 10));
        progress.evaluated(done("c", 3, 30));
        progress.evaluated(done("b", 2, 20));
        let pending = progress.inner.state.lock().unwrap().pending.clone();
        assert_eq!(pending.len(), 1, "{pending:?}");
        let (kind, data) = &pending[0];
        assert_eq!(*kind, "account_evaluated");
        assert_eq!(
            (&data["accounts_done"], &data["findings_so_far"], &data["failing_so_far"], &data["plugins_evaluated"]),
            (&json!(3), &json!(60), &json!(3), &json!(6)),
            "{data}"
        );
    }
}
