//! Active access keys have been used within the last 45 days.

use crate::unused::{MAX_UNUSED_DAYS, idle_days};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_user_accesskey_unused",
        title: "Access keys unused for 45 days or more are disabled",
        severity: Severity::Medium,
        resource_types: &[crate::CREDENTIAL_REPORT],
        rationale: "An active key nobody uses is attack surface with no benefit, and its theft would go unnoticed.",
        remediation: "Deactivate (then delete) the key: aws iam update-access-key --user-name USER --access-key-id KEY --status Inactive",
        references: &[
            reference("aws-config-rule", "IAM_USER_UNUSED_CREDENTIALS_CHECK"),
            reference("prowler", "iam_user_accesskey_unused"),
            reference("cis", "1.12"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let Some(now) = inv.captured_at() else { return };
    for u in crate::users(inv) {
        let u = &u;
        let user = &u.resource_id;
        let mut active = 0;
        let mut idle = Vec::new();
        for n in [1, 2] {
            if u.config_bool(&format!("/access_key_{n}_active")) != Some(true) {
                continue;
            }
            active += 1;
            match idle_days(u, &[&format!("access_key_{n}_last_used_date"), &format!("access_key_{n}_last_rotated")], now) {
                Some(d) if d > MAX_UNUSED_DAYS => idle.push(format!("key {n} unused for {d} days")),
                Some(_) => {}
                None => idle.push(format!("key {n} has no usage or rotation date")),
            }
        }
        if active == 0 {
            out.not_applicable(u, format!("User {user} has no active access keys."));
        } else if idle.is_empty() {
            out.pass(u, format!("User {user}'s active keys were used within {MAX_UNUSED_DAYS} days."));
        } else {
            out.fail(u, format!("User {user}: {}.", idle.join(", ")));
        }
    }
}
