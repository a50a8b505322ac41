//! CloudWatch Logs log groups are encrypted with a KMS key the account controls.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudwatch_log_group_kms_encryption_enabled",
        title: "CloudWatch Logs log groups are encrypted with a KMS key",
        severity: Severity::Low,
        resource_types: &[crate::LOG_GROUP],
        rationale: "Logs carry what applications print: request bodies, identifiers, sometimes health or payment data. With a customer managed KMS key, reading them takes kms:Decrypt on that key too, every decryption is in CloudTrail, and disabling the key cuts off access at once; with the service's default encryption, any principal with logs:GetLogEvents reads them.",
        remediation: "aws logs associate-kms-key --log-group-name NAME --kms-key-id arn:aws:kms:REGION:ACCOUNT:key/KEY_ID (the key policy must allow the logs.REGION.amazonaws.com service principal to use it); events written before stay under the default encryption.",
        references: &[
            reference("aws-config-rule", "CLOUDWATCH_LOG_GROUP_ENCRYPTED"),
            reference("prowler", "cloudwatch_log_group_kms_encryption_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for group in inv.items(crate::LOG_GROUP).iter() {
        let name = group.name();
        match group.config_str("/kmsKeyId").map(str::trim).filter(|k| !k.is_empty()) {
            Some(key) => out.pass(group, format!("Log group {name} is encrypted with KMS key {key}.")),
            None => out.fail(group, format!("Log group {name} is not encrypted with a KMS key (the service's default encryption only).")),
        }
    }
}
