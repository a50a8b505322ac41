//! Distributions are protected by an AWS WAF web ACL.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudfront_distributions_using_waf",
        title: "CloudFront distributions are associated with an AWS WAF web ACL",
        severity: Severity::Medium,
        resource_types: &[crate::DISTRIBUTION],
        rationale: "A web ACL inspects requests at the edge and blocks SQL injection, cross-site scripting, known bad inputs, bots and request floods before they reach the origin; without one, every request the cache cannot answer goes straight to the application.",
        remediation: "Create a web ACL in us-east-1 with scope CLOUDFRONT (aws wafv2 create-web-acl --scope CLOUDFRONT --region us-east-1 --name NAME --default-action Allow={} --rules file://rules.json --visibility-config ...), set the DistributionConfig's WebACLId to its ARN and aws cloudfront update-distribution --id ID --if-match ETAG --distribution-config file://config.json (console: Security > Edit).",
        references: &[
            reference("aws-config-rule", "CLOUDFRONT_ASSOCIATED_WITH_WAF"),
            reference("prowler", "cloudfront_distributions_using_waf"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for distribution in inv.items(crate::DISTRIBUTION).iter() {
        let name = distribution.name();
        // webACLId is "" when no web ACL is associated.
        match distribution.config_str("/distributionConfig/webACLId").map(str::trim).filter(|id| !id.is_empty()) {
            Some(acl) => out.pass(distribution, format!("Distribution {name} is protected by web ACL {acl}.")),
            None => out.fail(distribution, format!("Distribution {name} is not associated with an AWS WAF web ACL.")),
        }
    }
}
