//! SNS topics encrypt messages at rest with a KMS key.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "sns_topics_kms_encryption_at_rest_enabled",
        title: "SNS topics are encrypted at rest with AWS KMS",
        severity: Severity::Medium,
        resource_types: &[crate::TOPIC],
        rationale: "Server-side encryption with a KMS key keeps published messages unreadable while SNS stores them for delivery, and puts access to them under a key policy.",
        remediation: "aws sns set-topic-attributes --topic-arn TOPIC_ARN --attribute-name KmsMasterKeyId --attribute-value alias/aws/sns (or the ARN of a customer managed key)",
        references: &[reference("aws-config-rule", "SNS_ENCRYPTED_KMS"), reference("prowler", "sns_topics_kms_encryption_at_rest_enabled")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for topic in inv.items(crate::TOPIC).iter() {
        let name = topic.name();
        match topic.config_str("/KmsMasterKeyId").map(str::trim).filter(|k| !k.is_empty()) {
            Some(key) => out.pass(topic, format!("Topic {name} is encrypted at rest with KMS key {key}.")),
            None => out.fail(topic, format!("Topic {name} is not encrypted at rest with a KMS key.")),
        }
    }
}
