//! Buckets record server access logs.

use super::{BUCKET, bucket_name};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "s3_bucket_server_access_logging_enabled",
        title: "S3 buckets have server access logging enabled",
        severity: Severity::Medium,
        resource_types: &[BUCKET],
        rationale: "Access logs record who requested what, which investigations and audits depend on.",
        remediation: "aws s3api put-bucket-logging --bucket NAME --bucket-logging-status '{\"LoggingEnabled\":{\"TargetBucket\":\"LOG-BUCKET\",\"TargetPrefix\":\"NAME/\"}}'",
        references: &[
            reference("aws-config-rule", "S3_BUCKET_LOGGING_ENABLED"),
            reference("prowler", "s3_bucket_server_access_logging_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for b in inv.items(BUCKET).iter() {
        match b.supplementary_str("/BucketLoggingConfiguration/destinationBucketName") {
            Some(target) if !target.is_empty() => out.pass(b, format!("Bucket {} logs access to {target}.", bucket_name(b))),
            _ => out.fail(b, format!("Bucket {} has server access logging disabled.", bucket_name(b))),
        }
    }
}
