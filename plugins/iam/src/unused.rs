//! Credentials unused for 45 days, measured from the credential report at capture time.

use securebase_plugin_sdk::Item;
use securebase_plugin_sdk::time::{days_between, parse_rfc3339};

/// Unused for longer than this many days means the credential should be disabled (CIS 1.12).
pub const MAX_UNUSED_DAYS: i64 = 45;

/// A credential report timestamp, or `None` for `N/A`, `no_information` and the like.
pub fn report_time(item: &Item, column: &str) -> Option<i64> {
    item.config_str(&format!("/{column}")).and_then(parse_rfc3339)
}

/// Days since the first readable column of `columns` (e.g. last used, else last changed,
/// else created: CIS 1.12's order for a credential never used).
pub fn idle_days(item: &Item, columns: &[&str], now: i64) -> Option<i64> {
    columns.iter().find_map(|c| report_time(item, c)).map(|t| days_between(t, now))
}
