//! Distributions write standard access logs.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudfront_distributions_logging_enabled",
        title: "CloudFront distributions have access logging enabled",
        severity: Severity::Medium,
        resource_types: &[crate::DISTRIBUTION],
        rationale: "Access logs record every viewer request (client IP, path, status, TLS protocol); without them, scraping, credential stuffing or an attack that got through the cache cannot be investigated afterwards.",
        remediation: "In the DistributionConfig set Logging to Enabled=true, Bucket=LOG_BUCKET.s3.amazonaws.com, Prefix=PREFIX, IncludeCookies=false, then aws cloudfront update-distribution --id ID --if-match ETAG --distribution-config file://config.json (console: Logging > Add > Amazon S3). The log bucket must have ACLs enabled for the awslogsdelivery account.",
        references: &[
            reference("aws-config-rule", "CLOUDFRONT_ACCESSLOGS_ENABLED"),
            reference("prowler", "cloudfront_distributions_logging_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for distribution in inv.items(crate::DISTRIBUTION).iter() {
        let name = distribution.name();
        if distribution.config_bool("/distributionConfig/logging/enabled") != Some(true) {
            out.fail(distribution, format!("Distribution {name} does not write access logs."));
            continue;
        }
        match distribution.config_str("/distributionConfig/logging/bucket").map(str::trim).filter(|b| !b.is_empty()) {
            Some(bucket) => out.pass(distribution, format!("Distribution {name} writes access logs to {bucket}.")),
            None => out.pass(distribution, format!("Distribution {name} has access logging enabled.")),
        }
    }
}
