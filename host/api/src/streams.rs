//! Long requests (progress streams, `?wait=true`) hold a connection and a task each, so
//! they are bounded: at most a few at once per key, each for a bounded time, and a
//! stream re-checks its key as it goes, so a revoked key or a deleted tenant ends it.

use crate::AppError;
use axum::http::StatusCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bounds on long requests.
#[derive(Debug, Clone, Copy)]
pub struct StreamLimits {
    /// Streams and waits one key may hold open at once.
    pub per_key: usize,
    /// Longest a stream stays open (a client reconnects with `Last-Event-ID`).
    pub max_duration: Duration,
    /// How often an open stream checks that its key still works.
    pub recheck: Duration,
}

impl Default for StreamLimits {
    fn default() -> Self {
        Self { per_key: 4, max_duration: Duration::from_secs(3600), recheck: Duration::from_secs(15) }
    }
}

/// Open streams per key.
#[derive(Debug, Default)]
pub struct OpenStreams {
    open: Mutex<HashMap<String, usize>>,
}

/// One open stream of a key; closing it (dropping the guard) frees its place.
#[derive(Debug)]
pub struct StreamGuard {
    streams: Arc<OpenStreams>,
    key: String,
}

impl OpenStreams {
    /// A place for one more stream of `key`, or 429 `too_many_streams`.
    pub fn open(self: &Arc<Self>, key: &str, limit: usize) -> Result<StreamGuard, AppError> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(key.to_string()).or_insert(0);
        if *n >= limit {
            let mut e = AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_streams",
                format!("this key already holds {limit} open progress streams or waiting requests; close one first"),
            );
            e.retry_after = Some(5);
            return Err(e);
        }
        *n += 1;
        Ok(StreamGuard { streams: self.clone(), key: key.to_string() })
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_counted_per_key_and_freed_on_drop() {
        let s = Arc::new(OpenStreams::default());
        let a1 = s.open("a", 2).unwrap();
        let _a2 = s.open("a", 2).unwrap();
        assert_eq!(s.open("a", 2).unwrap_err().status, StatusCode::TOO_MANY_REQUESTS);
        let _b = s.open("b", 2).expect("another key has its own places");
        drop(a1);
        assert!(s.open("a", 2).is_ok());
    }
}
