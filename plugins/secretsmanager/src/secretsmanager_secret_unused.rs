//! Secrets have been accessed within the last 90 days, measured at the inventory's capture time.

use crate::{MAX_DAYS, SECRET, days_since};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "secretsmanager_secret_unused",
        title: "Secrets Manager secrets have been used within the last 90 days",
        severity: Severity::Medium,
        resource_types: &[SECRET],
        rationale: "A secret nobody reads is a credential with no owner: it can still be abused by whoever holds a copy, and its misuse would go unnoticed.",
        remediation: "Confirm in CloudTrail (GetSecretValue events) that nothing uses the secret, revoke the credential it holds, then aws secretsmanager delete-secret --secret-id SECRET --recovery-window-in-days 30.",
        references: &[reference("aws-config-rule", "SECRETSMANAGER_SECRET_UNUSED"), reference("prowler", "secretsmanager_secret_unused")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let now = inv.captured_at();
    for secret in inv.items(SECRET).iter() {
        let name = secret.name();
        match days_since(secret, "LastAccessedDate", now) {
            Ok((days, true)) => out.verdict(
                secret,
                days <= MAX_DAYS,
                format!("Secret {name} was last accessed {days} days ago, within {MAX_DAYS} days."),
                format!("Secret {name} has not been accessed for {days} days, more than {MAX_DAYS} days."),
            ),
            Ok((days, false)) => out.verdict(
                secret,
                days <= MAX_DAYS,
                format!("Secret {name} has not been accessed yet but was created {days} days ago, within {MAX_DAYS} days."),
                format!("Secret {name} has never been accessed and was created {days} days ago, more than {MAX_DAYS} days."),
            ),
            Err(e) => out.error(secret, format!("Secret {name}: {e}.")),
        }
    }
}
