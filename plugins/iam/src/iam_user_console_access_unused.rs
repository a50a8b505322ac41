//! Console passwords have been used within the last 45 days.

use crate::unused::{MAX_UNUSED_DAYS, idle_days};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_user_console_access_unused",
        title: "Console passwords unused for 45 days or more are disabled",
        severity: Severity::Medium,
        resource_types: &[crate::CREDENTIAL_REPORT],
        rationale: "Dormant console logins belong to people who left or changed roles; they are prime targets for takeover.",
        remediation: "Remove the login profile: aws iam delete-login-profile --user-name USER",
        references: &[
            reference("aws-config-rule", "IAM_USER_UNUSED_CREDENTIALS_CHECK"),
            reference("prowler", "iam_user_console_access_unused"),
            reference("cis", "1.12"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let Some(now) = inv.captured_at() else { return };
    for u in crate::console_users(inv, out) {
        let u = &u;
        let user = &u.resource_id;
        match idle_days(u, &["password_last_used", "password_last_changed", "user_creation_time"], now) {
            Some(d) if d > MAX_UNUSED_DAYS => out.fail(u, format!("User {user} has not signed in to the console for {d} days.")),
            Some(d) => out.pass(u, format!("User {user} signed in to the console {d} days ago.")),
            None => out.error(u, format!("User {user} has no readable sign-in or creation date.")),
        }
    }
}
