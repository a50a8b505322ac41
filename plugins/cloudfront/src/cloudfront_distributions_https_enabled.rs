//! Distributions keep viewers on HTTPS in every cache behavior.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudfront_distributions_https_enabled",
        title: "CloudFront distributions require HTTPS between viewers and CloudFront",
        severity: Severity::Medium,
        resource_types: &[crate::DISTRIBUTION],
        rationale: "A cache behavior whose viewer protocol policy is allow-all serves its paths over plain HTTP, where cookies, tokens and content can be read or altered on the way; every behavior, not only the default one, decides this for its paths.",
        remediation: "Set ViewerProtocolPolicy to redirect-to-https (or https-only) in DefaultCacheBehavior and in every CacheBehaviors item: aws cloudfront get-distribution-config --id ID > config.json, edit the DistributionConfig, then aws cloudfront update-distribution --id ID --if-match ETAG --distribution-config file://config.json (console: Behaviors > Edit > Viewer protocol policy).",
        references: &[
            reference("aws-config-rule", "CLOUDFRONT_VIEWER_POLICY_HTTPS"),
            reference("prowler", "cloudfront_distributions_https_enabled"),
        ],
    },
    run,
};

/// Whether a viewer protocol policy keeps viewers on HTTPS (anything else, `allow-all`
/// or nothing recorded, lets them use HTTP).
fn https_only(policy: Option<&str>) -> bool {
    matches!(policy, Some("https-only" | "redirect-to-https"))
}

fn run(inv: &Inventory, out: &mut Findings) {
    for distribution in inv.items(crate::DISTRIBUTION).iter() {
        let name = distribution.name();
        let others = crate::list(distribution, "/distributionConfig/cacheBehaviors");
        let mut http = Vec::new();
        let default = distribution.config_str("/distributionConfig/defaultCacheBehavior/viewerProtocolPolicy");
        if !https_only(default) {
            http.push(format!("default ({})", default.unwrap_or("no policy")));
        }
        for behavior in others {
            let policy = behavior.get("viewerProtocolPolicy").and_then(Value::as_str);
            if !https_only(policy) {
                let path = behavior.get("pathPattern").and_then(Value::as_str).unwrap_or("?");
                http.push(format!("{path} ({})", policy.unwrap_or("no policy")));
            }
        }
        out.verdict(
            distribution,
            http.is_empty(),
            format!("Distribution {name} keeps viewers on HTTPS in all {} cache behavior(s).", others.len() + 1),
            format!("Distribution {name} lets viewers use HTTP in cache behavior(s): {}.", http.join(", ")),
        );
    }
}
