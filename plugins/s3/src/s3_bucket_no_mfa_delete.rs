//! Versioned buckets require MFA to delete versions.

use super::{BUCKET, bucket_name};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "s3_bucket_no_mfa_delete",
        title: "S3 buckets have MFA Delete enabled",
        severity: Severity::Medium,
        resource_types: &[BUCKET],
        rationale: "MFA Delete stops stolen credentials alone from permanently deleting object versions or suspending versioning.",
        remediation: "As the root user with an MFA device: aws s3api put-bucket-versioning --bucket NAME --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa 'SERIAL CODE'",
        references: &[reference("prowler", "s3_bucket_no_mfa_delete"), reference("cis", "2.1.2")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for b in inv.items(BUCKET).iter() {
        let on = b.supplementary_bool("/BucketVersioningConfiguration/isMfaDeleteEnabled") == Some(true);
        out.verdict(
            b,
            on,
            format!("Bucket {} has MFA Delete enabled.", bucket_name(b)),
            format!("Bucket {} does not have MFA Delete enabled.", bucket_name(b)),
        );
    }
}
