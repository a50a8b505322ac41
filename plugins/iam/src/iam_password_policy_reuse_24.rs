//! The password policy remembers the last 24 passwords.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_password_policy_reuse_24",
        title: "The IAM password policy prevents reuse of the last 24 passwords",
        severity: Severity::Medium,
        resource_types: &[crate::PASSWORD_POLICY],
        rationale: "Preventing reuse stops users from cycling back to a password that may already be compromised.",
        remediation: "aws iam update-account-password-policy --password-reuse-prevention 24 (plus the account's other settings, which this call replaces)",
        references: &[
            reference("aws-config-rule", "IAM_PASSWORD_POLICY"),
            reference("prowler", "iam_password_policy_reuse_24"),
            reference("cis", "1.9"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for p in inv.items(crate::PASSWORD_POLICY).iter() {
        match p.config_i64("/passwordReusePrevention") {
            Some(n) if n >= 24 => out.pass(p, format!("The password policy prevents reuse of the last {n} passwords.")),
            Some(n) => out.fail(p, format!("The password policy prevents reuse of only the last {n} passwords; 24 are needed.")),
            None => out.fail(p, "The password policy does not prevent password reuse."),
        }
    }
}
