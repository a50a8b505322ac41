//! Answers that cannot change, kept in memory: a page of the compliance report of a
//! finished scan. A succeeded scan's digest and findings are written once and never
//! updated (exceptions and attestations are frozen into the scan when it runs), so the
//! page is a function of (tenant, scan, framework and its digest, page) alone. Only the
//! tenant's own fields (its organization's name, which a PATCH may change) are read
//! per request. Which scan is the newest is asked of the database every time, so a
//! scan finishing elsewhere (another replica, a worker) is seen at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a cached page is the answer to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ReportKey {
    pub tenant: String,
    pub scan: String,
    pub framework: String,
    /// The framework definition's digest: a tenant's edited framework is another key.
    pub framework_sha256: String,
    pub skip: u64,
    pub limit: u64,
}

/// Serialized pages, bounded in bytes.
pub(crate) struct ReportCache {
    budget: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    pages: HashMap<ReportKey, Arc<str>>,
    bytes: usize,
}

impl ReportCache {
    /// A cache of at most `budget` bytes of pages.
    pub(crate) fn new(budget: usize) -> Self {
        Self { budget, inner: Mutex::default() }
    }

    pub(crate) fn get(&self, key: &ReportKey) -> Option<Arc<str>> {
        self.inner.lock().expect("report cache lock").pages.get(key).cloned()
    }

    pub(crate) fn insert(&self, key: ReportKey, page: Arc<str>) {
        // A page larger than an eighth of the budget would evict too much to be worth it.
        if page.len() > self.budget / 8 {
            return;
        }
        let mut inner = self.inner.lock().expect("report cache lock");
        if inner.bytes + page.len() > self.budget {
            // Full: start over. Pages are cheap to rebuild and the working set (each
            // tenant's newest scan) refills within one request per tenant.
            inner.pages.clear();
            inner.bytes = 0;
        }
        inner.bytes += page.len();
        if let Some(old) = inner.pages.insert(key, page) {
            inner.bytes -= old.len();
        }
    }

    #[cfg(test)]
    fn len(&self) -> (usize, usize) {
        let inner = self.inner.lock().unwrap();
        (inner.pages.len(), inner.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(tenant: &str, skip: u64) -> ReportKey {
        ReportKey { tenant: tenant.into(), scan: "s_1".into(), framework: "soc2".into(), framework_sha256: "ab".into(), skip, limit: 100 }
    }

    #[test]
    fn pages_are_kept_per_key_within_the_budget() {
        let cache = ReportCache::new(1000);
        cache.insert(key("t_a", 0), Arc::from("a".repeat(100)));
        cache.insert(key("t_b", 0), Arc::from("b".repeat(100)));
        assert_eq!(cache.get(&key("t_a", 0)).as_deref(), Some("a".repeat(100).as_str()));
        assert_eq!(cache.get(&key("t_b", 0)).as_deref(), Some("b".repeat(100).as_str()));
        assert_eq!(cache.get(&key("t_a", 100)), None, "another page is another key");
        assert_eq!(cache.len(), (2, 200));
        // Replacing a page counts its bytes once.
        cache.insert(key("t_a", 0), Arc::from("c".repeat(50)));
        assert_eq!(cache.len(), (2, 150));
        // Too large a page is not kept; a full cache starts over.
        cache.insert(key("t_c", 0), Arc::from("d".repeat(126)));
        assert_eq!(cache.get(&key("t_c", 0)), None);
        for skip in 1..=8 {
            cache.insert(key("t_d", skip), Arc::from("e".repeat(120)));
        }
        let (pages, bytes) = cache.len();
        assert!(bytes <= 1000 && pages >= 1, "{pages} pages, {bytes} bytes");
        assert_eq!(cache.get(&key("t_d", 8)).as_deref().map(str::len), Some(120), "the newest page is kept");
    }
}
