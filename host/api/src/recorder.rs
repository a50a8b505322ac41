//! The audit entries and usage events of requests, written in groups: requests that
//! finish while a group is being written wait for the next, which then commits them all
//! at once (one transaction and one flush of the database's log instead of one each).
//! A request is answered only once its own group has committed, and a failed group
//! fails (or retries one by one) exactly the requests in it, so nothing answered is
//! ever unrecorded.

use securebase_store::{AuditEntry, RequestRecords, Store, StoreError, UsageEvent};
use tokio::sync::{mpsc, oneshot};

/// The largest group written in one transaction.
const MAX_GROUP: usize = 128;
/// Requests waiting for a group before new ones wait to queue (backpressure, not loss).
const QUEUE: usize = 4096;

struct Pending {
    records: RequestRecords,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// Where requests hand their records.
#[derive(Clone)]
pub(crate) struct Recorder {
    queue: mpsc::Sender<Pending>,
}

impl Recorder {
    /// Starts the writer on the current runtime; it stops when the last `Recorder` is dropped.
    pub(crate) fn start(store: Store) -> (Self, tokio::task::JoinHandle<()>) {
        let (queue, rx) = mpsc::channel(QUEUE);
        (Self { queue }, tokio::spawn(write_groups(store, rx)))
    }

    /// Records one request's entry and events; returns once they are committed.
    pub(crate) async fn record(&self, audit: Option<AuditEntry>, usage: Vec<UsageEvent>) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        let pending = Pending { records: RequestRecords { audit, usage }, done };
        if let Err(mpsc::error::SendError(p)) = self.queue.send(pending).await {
            // The writer is gone (its runtime is shutting down): the request fails unrecorded.
            let what = p.records.audit.map_or_else(|| "usage".to_string(), |a| a.action);
            return Err(StoreError::Batch(format!("the request recorder has stopped; {what} not recorded")));
        }
        answer.await.unwrap_or_else(|_| Err(StoreError::Batch("the request recorder stopped before writing this request".into())))
    }
}

async fn write_groups(store: Store, mut rx: mpsc::Receiver<Pending>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut group, MAX_GROUP).await > 0 {
        let (records, waiting): (Vec<RequestRecords>, Vec<_>) = group.drain(..).map(|p| (p.records, p.done)).unzip();
        let outcomes = store.record_requests(&records).await;
        for (done, outcome) in waiting.into_iter().zip(outcomes) {
            // A request whose client went away no longer waits; its records are written all the same.
            let _ = done.send(outcome);
        }
    }
}
