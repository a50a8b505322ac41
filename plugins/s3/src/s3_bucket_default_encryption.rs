//! Buckets encrypt new objects by default.

use super::{BUCKET, bucket_name};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "s3_bucket_default_encryption",
        title: "S3 buckets have default server-side encryption enabled",
        severity: Severity::Medium,
        resource_types: &[BUCKET],
        rationale: "Default encryption ensures every object written to the bucket is encrypted at rest, even when the writer does not ask for it.",
        remediation: "Enable default encryption (SSE-KMS preferred, or SSE-S3): aws s3api put-bucket-encryption --bucket NAME --server-side-encryption-configuration '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\"}}]}'",
        references: &[
            reference("aws-config-rule", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"),
            reference("prowler", "s3_bucket_default_encryption"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for b in inv.items(BUCKET).iter() {
        let algorithm = b
            .supplementary_node("/ServerSideEncryptionConfiguration/rules")
            .and_then(|rules| rules.elements().find_map(|r| r.pointer("/applyServerSideEncryptionByDefault/sseAlgorithm")?.as_str()));
        match algorithm {
            Some(a) => out.pass(b, format!("Bucket {} encrypts new objects by default with {a}.", bucket_name(b))),
            None => out.fail(b, format!("Bucket {} has no default server-side encryption.", bucket_name(b))),
        }
    }
}
