//! The bucket receiving a trail's logs records its own access.

use crate::trails::{TRAIL, bucket, name};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudtrail_logs_s3_bucket_access_logging_enabled",
        title: "Server access logging is enabled on the CloudTrail S3 bucket",
        severity: Severity::Medium,
        resource_types: &[TRAIL],
        rationale: "Access logs on the trail bucket show who read or tampered with the audit trail itself.",
        remediation: "aws s3api put-bucket-logging --bucket TRAIL-BUCKET --bucket-logging-status '{\"LoggingEnabled\":{\"TargetBucket\":\"LOG-BUCKET\",\"TargetPrefix\":\"cloudtrail/\"}}'",
        references: &[
            reference("aws-config-rule", "S3_BUCKET_LOGGING_ENABLED"),
            reference("prowler", "cloudtrail_logs_s3_bucket_access_logging_enabled"),
            reference("cis", "3.4"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let buckets = inv.items("AWS::S3::Bucket");
    for t in inv.items(TRAIL).iter() {
        let Some(b) = bucket(&buckets, t) else {
            let target = t.config_str("/S3BucketName").unwrap_or("?");
            out.not_applicable(
                t,
                format!(
                    "Trail {} delivers to bucket {target}, which is not in this account; check it in the account that owns it.",
                    name(t)
                ),
            );
            continue;
        };
        let logged = b.supplementary_str("/BucketLoggingConfiguration/destinationBucketName").is_some_and(|d| !d.is_empty());
        out.verdict(
            t,
            logged,
            format!("Trail {}'s bucket {} has access logging on.", name(t), b.name()),
            format!("Trail {}'s bucket {} has access logging off.", name(t), b.name()),
        );
    }
}
