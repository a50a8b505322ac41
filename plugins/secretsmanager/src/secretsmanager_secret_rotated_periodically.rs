//! Secrets have been rotated within the last 90 days, measured at the inventory's capture time.

use crate::{MAX_DAYS, SECRET, days_since};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "secretsmanager_secret_rotated_periodically",
        title: "Secrets Manager secrets have been rotated within the last 90 days",
        severity: Severity::Medium,
        resource_types: &[SECRET],
        rationale: "A secret that has not changed for months has had that long to be copied, logged or leaked; rotating it makes any such copy useless.",
        remediation: "Rotate now with aws secretsmanager rotate-secret --secret-id SECRET, turn on automatic rotation, and investigate rotations that are configured but failing.",
        references: &[
            reference("aws-config-rule", "SECRETSMANAGER_SECRET_PERIODIC_ROTATION"),
            reference("prowler", "secretsmanager_secret_rotated_periodically"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let now = inv.captured_at();
    for secret in inv.items(SECRET).iter() {
        let name = secret.name();
        match days_since(secret, "LastRotatedDate", now) {
            Ok((days, true)) => out.verdict(
                secret,
                days <= MAX_DAYS,
                format!("Secret {name} was last rotated {days} days ago, within {MAX_DAYS} days."),
                format!("Secret {name} was last rotated {days} days ago, more than {MAX_DAYS} days."),
            ),
            Ok((days, false)) => out.verdict(
                secret,
                days <= MAX_DAYS,
                format!("Secret {name} has not been rotated yet but was created {days} days ago, within {MAX_DAYS} days."),
                format!("Secret {name} has never been rotated and was created {days} days ago, more than {MAX_DAYS} days."),
            ),
            Err(e) => out.error(secret, format!("Secret {name}: {e}.")),
        }
    }
}
