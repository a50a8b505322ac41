//! The account blocks public access to all its buckets.

use super::{ACCOUNT_PAB, pab_missing};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "s3_account_level_public_access_blocks",
        title: "The account-level S3 Block Public Access settings are all enabled",
        severity: Severity::High,
        resource_types: &[ACCOUNT_PAB],
        rationale: "The account-level block protects every current and future bucket, including ones created by mistake.",
        remediation: "aws s3control put-public-access-block --account-id ACCOUNT --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        references: &[
            reference("aws-config-rule", "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC"),
            reference("prowler", "s3_account_level_public_access_blocks"),
            reference("cis", "2.1.4"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for a in inv.items(ACCOUNT_PAB).iter() {
        let missing = pab_missing(Some(a.configuration_doc()));
        out.verdict(
            a,
            missing.is_empty(),
            "All four account-level Block Public Access settings are on.",
            format!("Account-level Block Public Access is incomplete: {} off.", missing.join(", ")),
        );
    }
}
