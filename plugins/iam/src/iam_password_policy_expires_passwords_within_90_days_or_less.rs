//! Passwords expire within 90 days.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_password_policy_expires_passwords_within_90_days_or_less",
        title: "The IAM password policy expires passwords within 90 days or less",
        severity: Severity::Medium,
        resource_types: &[crate::PASSWORD_POLICY],
        rationale: "Expiry bounds how long a stolen password stays valid.",
        remediation: "aws iam update-account-password-policy --max-password-age 90 (plus the account's other settings, which this call replaces)",
        references: &[
            reference("aws-config-rule", "IAM_PASSWORD_POLICY"),
            reference("prowler", "iam_password_policy_expires_passwords_within_90_days_or_less"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for p in inv.items(crate::PASSWORD_POLICY).iter() {
        let expires = p.config_bool("/expirePasswords") == Some(true);
        match p.config_i64("/maxPasswordAge") {
            Some(days) if expires && (1..=90).contains(&days) => out.pass(p, format!("Passwords expire after {days} days.")),
            Some(days) if expires => out.fail(p, format!("Passwords expire only after {days} days; 90 or fewer are needed.")),
            _ => out.fail(p, "Passwords never expire."),
        }
    }
}
