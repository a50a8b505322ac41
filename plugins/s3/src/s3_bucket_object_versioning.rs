//! Buckets keep object versions.

use super::{BUCKET, bucket_name};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "s3_bucket_object_versioning",
        title: "S3 buckets have object versioning enabled",
        severity: Severity::Medium,
        resource_types: &[BUCKET],
        rationale: "Versioning keeps prior versions of objects so that accidental or malicious overwrites and deletions can be recovered.",
        remediation: "Enable versioning: aws s3api put-bucket-versioning --bucket NAME --versioning-configuration Status=Enabled",
        references: &[reference("aws-config-rule", "S3_BUCKET_VERSIONING_ENABLED"), reference("prowler", "s3_bucket_object_versioning")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for b in inv.items(BUCKET).iter() {
        let status = b.supplementary_str("/BucketVersioningConfiguration/status").unwrap_or("Off");
        out.verdict(
            b,
            status == "Enabled",
            format!("Bucket {} has versioning enabled.", bucket_name(b)),
            format!("Bucket {} has versioning {}.", bucket_name(b), status.to_ascii_lowercase()),
        );
    }
}
