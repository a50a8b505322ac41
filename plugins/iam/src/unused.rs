//! Credentials unused for 45 days, measured from the credential report at capture time.

use securebase_plugin_sdk::Item;
use securebase_plugin_sdk::time::{days_between, parse_rfc3339};

/// Unused for longer than this many days means the credential should be disabled (CIS 1.12).
pub const MAX_UNUSED_DAYS: i64 = 45;

/// A credential report timestamp, or `None` for `N/A`, `no_information` and the like.
pub fn report_time(item: &Item, column: &str) -> Option<i64> {
    item.config_str(&format!("/{column}")).and_then(parse_rfc3339)
}

/// Days since `column` (falling back to `fallback`, e.g. never used: since creation).
pub fn idle_days(item: &Item, column: &str, fallback: &str, now: i64) -> Option<i64> {
    report_time(item, column).or_else(|| report_time(item, fallback)).map(|t| days_between(t, now))
}
