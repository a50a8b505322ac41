//! Secrets rotate automatically.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "secretsmanager_automatic_rotation_enabled",
        title: "Secrets Manager secrets have automatic rotation enabled",
        severity: Severity::Medium,
        resource_types: &[crate::SECRET],
        rationale: "Automatic rotation replaces a long-lived credential with a fresh one on a schedule, bounding how long a leaked secret stays useful.",
        remediation: "aws secretsmanager rotate-secret --secret-id SECRET --rotation-lambda-arn FUNCTION_ARN --rotation-rules AutomaticallyAfterDays=30 (for RDS, Redshift and DocumentDB credentials, turn on managed rotation in the console).",
        references: &[
            reference("aws-config-rule", "SECRETSMANAGER_ROTATION_ENABLED_CHECK"),
            reference("prowler", "secretsmanager_automatic_rotation_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for secret in inv.items(crate::SECRET).iter() {
        let name = secret.name();
        // Numbers may arrive as floats (30.0); f64 prints whole numbers without a fraction.
        let pass = match secret.config("/RotationRules/AutomaticallyAfterDays").and_then(|v| v.as_f64()) {
            Some(days) => format!("Secret {name} rotates automatically every {days} days."),
            None => format!("Secret {name} rotates automatically."),
        };
        out.verdict(
            secret,
            secret.config_bool("/RotationEnabled") == Some(true),
            pass,
            format!("Secret {name} does not rotate automatically."),
        );
    }
}
