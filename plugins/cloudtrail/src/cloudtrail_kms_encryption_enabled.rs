//! CloudTrail logs are encrypted at rest using KMS keys.

use crate::trails::{TRAIL, name};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudtrail_kms_encryption_enabled",
        title: "CloudTrail logs are encrypted at rest using KMS keys",
        severity: Severity::Medium,
        resource_types: &[TRAIL],
        rationale: "SSE-KMS adds a key policy between the logs and anyone who can read the bucket.",
        remediation: "aws cloudtrail update-trail --name TRAIL --kms-key-id KEY",
        references: &[
            reference("aws-config-rule", "CLOUD_TRAIL_ENCRYPTION_ENABLED"),
            reference("prowler", "cloudtrail_kms_encryption_enabled"),
            reference("cis", "3.5"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for t in inv.items(TRAIL).iter() {
        out.verdict(
            t,
            t.config_str("/KMSKeyId").is_some_and(|k| !k.is_empty()),
            format!("Trail {} encrypts its logs with KMS.", name(t)),
            format!("Trail {} does not encrypt its logs with KMS.", name(t)),
        );
    }
}
