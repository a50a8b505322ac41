//! S3 origins can be reached only through CloudFront.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudfront_distributions_s3_origin_access_control",
        title: "CloudFront distributions reach their S3 origins through origin access control",
        severity: Severity::Medium,
        resource_types: &[crate::DISTRIBUTION],
        rationale: "With origin access control (or the legacy origin access identity) CloudFront signs its requests to the bucket, so the bucket policy can refuse everyone else; without it the bucket must be readable directly, bypassing the distribution's HTTPS, WAF, geo restrictions and logs. AWS Config and Prowler count only origin access control; this check also accepts an origin access identity, which still keeps the bucket private, and says so in its finding.",
        remediation: "aws cloudfront create-origin-access-control --origin-access-control-config Name=NAME,SigningProtocol=sigv4,SigningBehavior=always,OriginAccessControlOriginType=s3; set OriginAccessControlId on each S3 origin (and S3OriginConfig.OriginAccessIdentity to \"\") and aws cloudfront update-distribution --id ID --if-match ETAG --distribution-config file://config.json; then allow only cloudfront.amazonaws.com with an AWS:SourceArn condition on the distribution's ARN in the bucket policy.",
        references: &[
            reference("aws-config-rule", "CLOUDFRONT_S3_ORIGIN_ACCESS_CONTROL_ENABLED"),
            reference("prowler", "cloudfront_distributions_s3_origin_access_control"),
        ],
    },
    run,
};

/// A non-empty string at `pointer` within `value`.
fn non_empty<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn run(inv: &Inventory, out: &mut Findings) {
    for distribution in inv.items(crate::DISTRIBUTION).iter() {
        let name = distribution.name();
        // Custom origins (websites, load balancers, S3 website endpoints) have
        // customOriginConfig instead of s3OriginConfig.
        let s3_origins: Vec<&Value> = crate::list(distribution, "/distributionConfig/origins")
            .iter()
            .filter(|origin| origin.get("s3OriginConfig").is_some_and(Value::is_object))
            .collect();
        if s3_origins.is_empty() {
            out.not_applicable(distribution, format!("Distribution {name} has no S3 origin."));
            continue;
        }
        let (mut control, mut identity, mut open) = (0, 0, Vec::new());
        for origin in &s3_origins {
            if non_empty(origin, "/originAccessControlId").is_some() {
                control += 1;
            } else if non_empty(origin, "/s3OriginConfig/originAccessIdentity").is_some() {
                identity += 1;
            } else {
                open.push(non_empty(origin, "/id").unwrap_or("?"));
            }
        }
        if !open.is_empty() {
            out.fail(
                distribution,
                format!(
                    "Distribution {name} reaches S3 origin(s) {} without origin access control or an origin access identity.",
                    open.join(", ")
                ),
            );
        } else if identity > 0 {
            out.pass(
                distribution,
                format!(
                    "Distribution {name} reaches its {} S3 origin(s) through origin access control ({control}) or a legacy origin access identity ({identity}); move the latter to origin access control.",
                    s3_origins.len()
                ),
            );
        } else {
            out.pass(distribution, format!("Distribution {name} reaches its {control} S3 origin(s) through origin access control."));
        }
    }
}
