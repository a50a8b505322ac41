//! Console users did not get an access key at creation that was never used.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_user_no_setup_initial_access_key",
        title: "No access keys were set up during initial user setup for IAM users with a console password",
        severity: Severity::Medium,
        resource_types: &[crate::CREDENTIAL_REPORT],
        rationale: "Keys handed out with a new console login are rarely needed; an active key that has never been used is exactly such a key.",
        remediation: "Delete the unused key: aws iam delete-access-key --user-name USER --access-key-id KEY; let users create keys themselves when they need them.",
        references: &[
            reference("aws-config-rule", "IAM_USER_UNUSED_CREDENTIALS_CHECK"),
            reference("prowler", "iam_user_no_setup_initial_access_key"),
            reference("cis", "1.11"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for u in crate::console_users(inv, out) {
        let u = &u;
        let user = &u.resource_id;
        let never_used: Vec<String> = [1, 2]
            .iter()
            .filter(|n| u.config_bool(&format!("/access_key_{n}_active")) == Some(true))
            .filter(|n| crate::unused::report_time(u, &format!("access_key_{n}_last_used_date")).is_none())
            .map(|n| format!("key {n}"))
            .collect();
        if never_used.is_empty() {
            out.pass(u, format!("User {user} has no active access key that was never used."));
        } else {
            out.fail(u, format!("User {user} has a console password and never-used active access keys: {}.", never_used.join(", ")));
        }
    }
}
