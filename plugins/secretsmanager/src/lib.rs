//! Built-in control plugin for AWS Secrets Manager: automatic and periodic rotation, unused secrets and customer managed keys.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::time::{days_between, parse_rfc3339};
use securebase_plugin_sdk::{Item, Plugin};

mod secretsmanager_automatic_rotation_enabled;
mod secretsmanager_secret_encrypted_with_cmk;
mod secretsmanager_secret_rotated_periodically;
mod secretsmanager_secret_unused;

/// Secrets in the DescribeSecret shape (PascalCase), with the dates SecureBase adds.
const SECRET: &str = "AWS::SecretsManager::Secret";

/// Days a secret may go unrotated or unused: AWS Config's and Prowler's default.
const MAX_DAYS: i64 = 90;

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "secretsmanager",
    version: "1.0.0",
    checks: &[
        secretsmanager_automatic_rotation_enabled::CHECK,
        secretsmanager_secret_rotated_periodically::CHECK,
        secretsmanager_secret_unused::CHECK,
        secretsmanager_secret_encrypted_with_cmk::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

/// A date of the secret in Unix seconds: `Ok(None)` when it is not recorded, `Err` when it
/// is recorded but unreadable (then no other date may stand in for it: an older creation
/// date would turn a recent rotation or use into a failure).
fn date(secret: &Item, field: &str) -> Result<Option<i64>, String> {
    let Some(v) = secret.config(&format!("/{field}")).filter(|v| !v.is_null()) else { return Ok(None) };
    v.as_str().and_then(parse_rfc3339).map(Some).ok_or_else(|| format!("{field} {v} is not an RFC 3339 date"))
}

/// Whole days from the secret's `field` date (last rotated, last accessed) to `now`, or from
/// its creation when `field` is not recorded (never rotated, never accessed); the flag says
/// whether `field` itself was recorded.
fn days_since(secret: &Item, field: &str, now: Option<i64>) -> Result<(i64, bool), String> {
    let now = now.ok_or("the inventory's capture time is not RFC 3339, so ages cannot be measured")?;
    if let Some(t) = date(secret, field)? {
        return Ok((days_between(t, now), true));
    }
    match date(secret, "CreatedDate")? {
        Some(t) => Ok((days_between(t, now), false)),
        // AWS Config may record neither date. The age is then unknown: passing would hide a
        // stale secret and failing would accuse a fresh one, so the check reports an error.
        None => Err(format!("neither {field} nor CreatedDate is recorded, so its age is unknown")),
    }
}

securebase_plugin_sdk::fixtures_test!(PLUGIN);
