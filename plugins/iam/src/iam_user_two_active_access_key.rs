//! No IAM user has two active access keys.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_user_two_active_access_key",
        title: "IAM users have at most one active access key",
        severity: Severity::Medium,
        resource_types: &[crate::CREDENTIAL_REPORT],
        rationale: "A second active key doubles what can leak; outside a short rotation window it is usually a forgotten one.",
        remediation: "Keep the key in use and deactivate the other: aws iam update-access-key --user-name USER --access-key-id KEY --status Inactive",
        references: &[
            reference("aws-config-rule", "ACCESS_KEYS_ROTATED"),
            reference("prowler", "iam_user_two_active_access_key"),
            reference("cis", "1.13"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for u in crate::users(inv) {
        let u = &u;
        let active = [1, 2].iter().filter(|n| u.config_bool(&format!("/access_key_{n}_active")) == Some(true)).count();
        let user = &u.resource_id;
        match active {
            0 => out.not_applicable(u, format!("User {user} has no active access keys.")),
            1 => out.pass(u, format!("User {user} has one active access key.")),
            _ => out.fail(u, format!("User {user} has two active access keys.")),
        }
    }
}
