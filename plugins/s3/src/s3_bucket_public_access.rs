//! Buckets are not public through their policy or their ACL.

use super::{BUCKET, bucket_name};
use securebase_plugin_sdk::aws::{account_blocks_public_s3, s3_bucket_exposure};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "s3_bucket_public_access",
        title: "S3 buckets are not publicly accessible through their policy or ACL",
        severity: Severity::Critical,
        resource_types: &[BUCKET],
        rationale: "A bucket policy or ACL that grants access to everyone exposes its objects to the whole internet.",
        remediation: "Remove Allow statements for Principal \"*\" (or scope them with conditions such as aws:SourceVpce or aws:PrincipalOrgID), remove AllUsers/AuthenticatedUsers grants from the ACL, and enable Block Public Access.",
        references: &[
            reference("aws-config-rule", "S3_BUCKET_PUBLIC_READ_PROHIBITED"),
            reference("aws-config-rule", "S3_BUCKET_PUBLIC_WRITE_PROHIBITED"),
            reference("prowler", "s3_bucket_public_access"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let account_blocks = account_blocks_public_s3(inv);
    for b in inv.items(BUCKET).iter() {
        let name = bucket_name(b);
        match s3_bucket_exposure(b, account_blocks) {
            Ok(None) => out.pass(b, format!("Bucket {name} is not public (Block Public Access, policy and ACL).")),
            Ok(Some(why)) => out.fail(b, format!("Bucket {name} is public: {why}.")),
            Err(e) => out.error(b, format!("Bucket {name}: {e}.")),
        }
    }
}
