//! Distributions reach their custom origins over HTTPS.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudfront_distributions_origin_traffic_encrypted",
        title: "CloudFront distributions encrypt traffic to their custom origins",
        severity: Severity::Medium,
        resource_types: &[crate::DISTRIBUTION],
        rationale: "A custom origin (load balancer, web server, API, S3 website endpoint) reached with the http-only origin protocol policy, or with match-viewer while viewers may use HTTP, receives requests, cookies and tokens in plaintext across the internet between CloudFront and the origin, where they can be read or altered. As in AWS Config's rule, S3 bucket origins are not judged here (their access is the origin access control check's); a distribution with only S3 bucket origins passes.",
        remediation: "Set OriginProtocolPolicy to https-only (and OriginSslProtocols to TLSv1.2) in the CustomOriginConfig of each custom origin: aws cloudfront get-distribution-config --id ID > config.json, edit the DistributionConfig, then aws cloudfront update-distribution --id ID --if-match ETAG --distribution-config file://config.json; the origin must serve a certificate valid for its domain name.",
        references: &[
            reference("aws-config-rule", "CLOUDFRONT_TRAFFIC_TO_ORIGIN_ENCRYPTED"),
            reference("prowler", "cloudfront_distributions_origin_traffic_encrypted"),
        ],
    },
    run,
};

/// Whether a viewer protocol policy lets viewers use HTTP (`allow-all`, or nothing recorded).
fn allows_http(behavior: &Value) -> bool {
    !matches!(behavior.get("viewerProtocolPolicy").and_then(Value::as_str), Some("https-only" | "redirect-to-https"))
}

fn run(inv: &Inventory, out: &mut Findings) {
    for distribution in inv.items(crate::DISTRIBUTION).iter() {
        let name = distribution.name();
        let origins = crate::list(distribution, "/distributionConfig/origins");
        if origins.is_empty() {
            out.not_applicable(distribution, format!("Distribution {name} has no origins."));
            continue;
        }
        let mut behaviors: Vec<&Value> = crate::list(distribution, "/distributionConfig/cacheBehaviors").iter().collect();
        behaviors.extend(distribution.config("/distributionConfig/defaultCacheBehavior"));
        // The cache behaviors that route to an origin (one with no recorded target may route anywhere).
        let http_to = |id: &str| {
            behaviors.iter().any(|b| allows_http(b) && b.get("targetOriginId").and_then(Value::as_str).is_none_or(|target| target == id))
        };
        let (mut custom, mut plain) = (0, Vec::new());
        for origin in origins {
            // S3 bucket origins have s3OriginConfig instead and are not judged here.
            let Some(config) = origin.get("customOriginConfig").filter(|c| c.is_object()) else { continue };
            custom += 1;
            let id = origin.get("id").and_then(Value::as_str).unwrap_or("?");
            match config.get("originProtocolPolicy").and_then(Value::as_str) {
                Some("https-only") => {}
                Some("match-viewer") if !http_to(id) => {}
                Some("match-viewer") => plain.push(format!("{id} (match-viewer, and viewers may use HTTP)")),
                other => plain.push(format!("{id} ({})", other.unwrap_or("no origin protocol policy"))),
            }
        }
        if !plain.is_empty() {
            out.fail(distribution, format!("Distribution {name} reaches custom origin(s) over HTTP: {}.", plain.join(", ")));
        } else if custom == 0 {
            out.pass(distribution, format!("Distribution {name} has only S3 bucket origins, no custom origin."));
        } else {
            out.pass(distribution, format!("Distribution {name} reaches its {custom} custom origin(s) over HTTPS."));
        }
    }
}
