//! {{name}}: a SecureBase control plugin. Each check is a plain Rust function over the
//! account's inventory that reports one finding per resource it looks at.
//!
//! Build: `securebase plugin build`; test: `securebase plugin test` (fixtures/).

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Plugin, Severity, reference};

const BUCKET: &str = "AWS::S3::Bucket";

const OWNER_TAG: Check = Check {
    meta: CheckMeta {
        id: "{{check}}",
        title: "S3 buckets carry an owner tag",
        severity: Severity::Medium,
        resource_types: &[BUCKET],
        rationale: "Every bucket needs a team that answers for what is in it.",
        remediation: "aws s3api put-bucket-tagging --bucket NAME --tagging 'TagSet=[{Key=owner,Value=TEAM}]'",
        references: &[reference("url", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-managing.html")],
    },
    run: owner_tag,
};

fn owner_tag(inv: &Inventory, out: &mut Findings) {
    for bucket in inv.items(BUCKET).iter() {
        out.verdict(
            bucket,
            bucket.tags.contains_key("owner"),
            format!("Bucket {} names its owner.", bucket.name()),
            format!("Bucket {} has no owner tag.", bucket.name()),
        );
    }
}

/// The plugin: its name, version and checks.
pub static PLUGIN: Plugin = Plugin { name: "{{name}}", version: "0.1.0", checks: &[OWNER_TAG] };

securebase_plugin_sdk::export_plugin!(PLUGIN);
