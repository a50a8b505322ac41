//! The root user signs in with MFA.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_root_mfa_enabled",
        title: "MFA is enabled for the root user",
        severity: Severity::Critical,
        resource_types: &[crate::ACCOUNT_SUMMARY],
        rationale: "The root user can do anything, including closing the account; a password alone is not enough to protect it.",
        remediation: "Sign in as root, open Security credentials, and assign an MFA device (a hardware key for production accounts).",
        references: &[
            reference("aws-config-rule", "ROOT_ACCOUNT_MFA_ENABLED"),
            reference("prowler", "iam_root_mfa_enabled"),
            reference("cis", "1.5"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for s in inv.items(crate::ACCOUNT_SUMMARY).iter() {
        match s.config_i64("/AccountMFAEnabled") {
            Some(1) => out.pass(s, "The root user has MFA enabled."),
            Some(_) => out.fail(s, "The root user does not have MFA enabled."),
            None => out.error(s, "The account summary has no AccountMFAEnabled value."),
        }
    }
}
