// Shared by both versions of the tenant-policy guest; `VERSION` and `REQUIRED_TAGS`
// are defined by the crate that includes this file.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Plugin, Severity};

const BUCKET: &str = "AWS::S3::Bucket";

const OWNER_TAG: Check = Check {
    meta: CheckMeta {
        id: "acme_s3_bucket_owner_tag",
        title: "S3 buckets carry Acme's ownership tags",
        severity: Severity::Medium,
        resource_types: &[BUCKET],
        rationale: "Acme's policy: every bucket names the team that answers for it.",
        remediation: "aws s3api put-bucket-tagging --bucket NAME --tagging 'TagSet=[{Key=owner,Value=TEAM}]'",
        references: &[],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for bucket in inv.items(BUCKET).iter() {
        let missing: Vec<&str> = REQUIRED_TAGS.iter().copied().filter(|t| !bucket.tags.contains_key(*t)).collect();
        out.verdict(
            bucket,
            missing.is_empty(),
            format!("Bucket {} carries {}.", bucket.name(), REQUIRED_TAGS.join(", ")),
            format!("Bucket {} lacks the tag(s) {}.", bucket.name(), missing.join(", ")),
        );
    }
}

/// The plugin.
pub static PLUGIN: Plugin = Plugin { name: "acme-policy", version: VERSION, checks: &[OWNER_TAG] };

securebase_plugin_sdk::export_plugin!(PLUGIN);
