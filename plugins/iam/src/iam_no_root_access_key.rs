//! The root user has no access keys.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_no_root_access_key",
        title: "The root user has no access keys",
        severity: Severity::Critical,
        resource_types: &[crate::ACCOUNT_SUMMARY],
        rationale: "Root access keys grant unrestricted, unscopable access to the whole account and cannot be limited by policies.",
        remediation: "Sign in as root, open Security credentials, and delete every access key; use IAM roles for automation.",
        references: &[
            reference("aws-config-rule", "IAM_ROOT_ACCESS_KEY_CHECK"),
            reference("prowler", "iam_no_root_access_key"),
            reference("cis", "1.4"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for s in inv.items(crate::ACCOUNT_SUMMARY).iter() {
        match s.config_i64("/AccountAccessKeysPresent") {
            Some(0) => out.pass(s, "The root user has no access keys."),
            Some(_) => out.fail(s, "The root user has active access keys."),
            None => out.error(s, "The account summary has no AccountAccessKeysPresent value."),
        }
    }
}
