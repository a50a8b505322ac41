//! Secrets are encrypted with a customer managed KMS key.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// The AWS managed key, which some renderings name explicitly instead of leaving `KMSKeyId` out.
const AWS_MANAGED_KEY: &str = "alias/aws/secretsmanager";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "secretsmanager_secret_encrypted_with_cmk",
        title: "Secrets Manager secrets are encrypted with a customer managed KMS key",
        severity: Severity::Medium,
        resource_types: &[crate::SECRET],
        rationale: "The AWS managed key aws/secretsmanager can be used by every principal in the account that may read the secret; a customer managed key adds a key policy of its own, so reading the secret needs both permissions, and it allows cross-account access.",
        remediation: "Create a customer managed key whose policy allows the secret's consumers kms:Decrypt, then aws secretsmanager update-secret --secret-id SECRET --kms-key-id KEY_ARN.",
        references: &[reference("aws-config-rule", "SECRETSMANAGER_USING_CMK")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for secret in inv.items(crate::SECRET).iter() {
        let name = secret.name();
        match secret.config_str("/KMSKeyId").map(str::trim).filter(|k| !k.is_empty() && !k.ends_with(AWS_MANAGED_KEY)) {
            Some(key) => out.pass(secret, format!("Secret {name} is encrypted with customer managed key {key}.")),
            None => out.fail(secret, format!("Secret {name} is encrypted with the AWS managed key {AWS_MANAGED_KEY}.")),
        }
    }
}
