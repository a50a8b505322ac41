//! Active access keys are at most 90 days old, measured at the inventory's capture time.

use securebase_plugin_sdk::time::{days_between, parse_rfc3339};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

const MAX_AGE_DAYS: i64 = 90;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_rotate_access_key_90_days",
        title: "Access keys are rotated every 90 days or less",
        severity: Severity::Medium,
        resource_types: &[crate::CREDENTIAL_REPORT],
        rationale: "Rotating keys bounds how long a leaked key stays useful.",
        remediation: "Create a second key, move every consumer to it, deactivate and then delete the old key; prefer IAM roles with temporary credentials.",
        references: &[
            reference("aws-config-rule", "ACCESS_KEYS_ROTATED"),
            reference("prowler", "iam_rotate_access_key_90_days"),
            reference("cis", "1.14"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let now = inv.captured_at();
    for u in crate::users(inv) {
        let u = &u;
        let user = &u.resource_id;
        let mut ages = Vec::new();
        let mut unreadable = None;
        for n in [1, 2] {
            if u.config_bool(&format!("/access_key_{n}_active")) != Some(true) {
                continue;
            }
            let rotated = u.config_str(&format!("/access_key_{n}_last_rotated")).and_then(parse_rfc3339);
            match (rotated, now) {
                (Some(r), Some(now)) => ages.push((n, days_between(r, now))),
                _ => unreadable = Some(n),
            }
        }
        if let Some(n) = unreadable {
            out.error(u, format!("User {user}: access key {n} has no readable last-rotated date."));
            continue;
        }
        let stale: Vec<String> = ages.iter().filter(|(_, d)| *d > MAX_AGE_DAYS).map(|(n, d)| format!("key {n} is {d} days old")).collect();
        if ages.is_empty() {
            out.not_applicable(u, format!("User {user} has no active access keys."));
        } else if stale.is_empty() {
            out.pass(u, format!("User {user}'s active access keys are at most {MAX_AGE_DAYS} days old."));
        } else {
            out.fail(u, format!("User {user}: {}; rotate keys every {MAX_AGE_DAYS} days.", stale.join(", ")));
        }
    }
}
