//! Every IAM user with a console password has MFA.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_user_mfa_enabled_console_access",
        title: "MFA is enabled for all IAM users that have a console password",
        severity: Severity::High,
        resource_types: &[crate::CREDENTIAL_REPORT],
        rationale: "A phished or reused password is enough to sign in to the console unless MFA is required.",
        remediation: "Assign an MFA device to the user (IAM > Users > Security credentials > Assign MFA device), or remove the console password if it is not needed.",
        references: &[
            reference("aws-config-rule", "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS"),
            reference("prowler", "iam_user_mfa_enabled_console_access"),
            reference("cis", "1.10"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for u in crate::console_users(inv, out) {
        let u = &u;
        let user = &u.resource_id;
        out.verdict(
            u,
            u.config_bool("/mfa_active") == Some(true),
            format!("User {user} has a console password and MFA."),
            format!("User {user} has a console password but no MFA device."),
        );
    }
}
