//! The bucket receiving a trail's logs is not public.

use crate::trails::{TRAIL, bucket, name};
use securebase_plugin_sdk::aws::{account_blocks_public_s3, s3_bucket_exposure};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudtrail_logs_s3_bucket_is_not_publicly_accessible",
        title: "The S3 bucket CloudTrail logs to is not publicly accessible",
        severity: Severity::Critical,
        resource_types: &[TRAIL],
        rationale: "A public trail bucket hands an attacker the full record of the account's activity, and perhaps the means to erase it.",
        remediation: "Enable Block Public Access on the bucket and remove public grants from its policy and ACL.",
        references: &[
            reference("aws-config-rule", "S3_BUCKET_PUBLIC_READ_PROHIBITED"),
            reference("prowler", "cloudtrail_logs_s3_bucket_is_not_publicly_accessible"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let buckets = inv.items("AWS::S3::Bucket");
    let account_blocks = account_blocks_public_s3(inv);
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
        match s3_bucket_exposure(b, account_blocks) {
            Ok(None) => out.pass(t, format!("Trail {}'s bucket {} is not public.", name(t), b.name())),
            Ok(Some(why)) => out.fail(t, format!("Trail {}'s bucket {} is public: {why}.", name(t), b.name())),
            Err(e) => out.error(t, format!("Trail {}'s bucket {}: {e}.", name(t), b.name())),
        }
    }
}
