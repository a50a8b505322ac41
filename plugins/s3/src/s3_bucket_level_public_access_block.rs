//! Buckets block public access, themselves or through the account-level block.

use super::{BUCKET, bucket_name, pab_missing};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "s3_bucket_level_public_access_block",
        title: "S3 buckets block public access (bucket settings or the account-level block)",
        severity: Severity::High,
        resource_types: &[BUCKET],
        rationale: "Block Public Access overrides ACLs and policies that would otherwise expose data to the internet.",
        remediation: "Turn on all four Block Public Access settings for the bucket: aws s3api put-public-access-block --bucket NAME --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        references: &[
            reference("aws-config-rule", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED"),
            reference("prowler", "s3_bucket_level_public_access_block"),
            reference("cis", "2.1.4"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    // Prowler's semantics: the account-level block covers every bucket when fully on.
    let account_blocks = securebase_plugin_sdk::aws::account_blocks_public_s3(inv);
    for b in inv.items(BUCKET).iter() {
        let missing = pab_missing(b.supplementary_node("/PublicAccessBlockConfiguration"));
        if missing.is_empty() {
            out.pass(b, format!("Bucket {} blocks all public access.", bucket_name(b)));
        } else if account_blocks {
            out.pass(b, format!("Bucket {} is covered by the account-level public access block.", bucket_name(b)));
        } else {
            out.fail(b, format!("Bucket {} does not block public access: {} off.", bucket_name(b), missing.join(", ")));
        }
    }
}
