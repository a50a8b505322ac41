//! The password policy requires at least 14 characters.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_password_policy_minimum_length_14",
        title: "The IAM password policy requires a minimum length of 14 or greater",
        severity: Severity::Medium,
        resource_types: &[crate::PASSWORD_POLICY],
        rationale: "Long passwords resist guessing and brute force far better than complexity rules on short ones.",
        remediation: "aws iam update-account-password-policy --minimum-password-length 14 (plus the account's other settings, which this call replaces)",
        references: &[
            reference("aws-config-rule", "IAM_PASSWORD_POLICY"),
            reference("prowler", "iam_password_policy_minimum_length_14"),
            reference("cis", "1.8"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for p in inv.items(crate::PASSWORD_POLICY).iter() {
        match p.config_i64("/minimumPasswordLength") {
            Some(n) if n >= 14 => out.pass(p, format!("The password policy requires {n} characters.")),
            Some(n) => out.fail(p, format!("The password policy requires only {n} characters; 14 or more are needed.")),
            None => out.fail(p, "The account has no password policy, so AWS's default of 8 characters applies."),
        }
    }
}
