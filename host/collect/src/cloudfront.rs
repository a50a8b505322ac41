//! CloudFront, once per account (a global service): distributions in AWS Config's camelCase
//! shape, the distribution's configuration under `distributionConfig` with lists wrapped
//! as `{quantity, items}` (no `items` when the quantity is 0), as Config records them.

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::{Value, json};

pub(crate) const SERVICE: &str = "cloudfront";

/// A list as CloudFront's API and Config wrap it.
fn wrapped(items: Vec<Value>) -> Value {
    if items.is_empty() { json!({ "quantity": 0 }) } else { json!({ "quantity": items.len(), "items": items }) }
}

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::CloudFront::Distribution") {
        return out;
    }
    let cf = client!(aws_sdk_cloudfront, s);
    let region = s.region;
    let mut summaries = vec![];
    let mut marker: Option<String> = None;
    loop {
        let r = cf.list_distributions().set_marker(marker.take()).send().await;
        let Some(page) = out.call(SERVICE, region, "ListDistributions", r) else { break };
        let Some(list) = page.distribution_list() else { break };
        summaries.extend(list.items().iter().cloned());
        match list.next_marker().filter(|_| list.is_truncated()) {
            Some(next) => marker = Some(next.to_string()),
            None => break,
        }
    }
    for d in summaries {
        let id = d.id();
        let r = cf.get_distribution_config().id(id).send().await;
        let Some(c) = out.call(SERVICE, region, &format!("GetDistributionConfig {id}"), r).and_then(|r| r.distribution_config().cloned())
        else {
            continue;
        };
        let behaviors = c
            .cache_behaviors()
            .map(|b| b.items())
            .unwrap_or_default()
            .iter()
            .map(|b| json!({ "pathPattern": b.path_pattern(), "viewerProtocolPolicy": b.viewer_protocol_policy().as_str() }))
            .collect();
        let origins = c
            .origins()
            .map(|o| o.items())
            .unwrap_or_default()
            .iter()
            .map(|o| {
                let mut origin = json!({ "id": o.id(), "domainName": o.domain_name(), "originAccessControlId": o.origin_access_control_id().unwrap_or("") });
                if let Some(s3) = o.s3_origin_config() {
                    origin["s3OriginConfig"] = json!({ "originAccessIdentity": s3.origin_access_identity() });
                }
                if let Some(custom) = o.custom_origin_config() {
                    origin["customOriginConfig"] = json!({ "originProtocolPolicy": custom.origin_protocol_policy().as_str() });
                }
                origin
            })
            .collect();
        let config = json!({
            "domainName": d.domain_name(),
            "distributionConfig": {
                "enabled": c.enabled(),
                "defaultCacheBehavior": { "viewerProtocolPolicy": c.default_cache_behavior().map(|b| b.viewer_protocol_policy().as_str()) },
                "cacheBehaviors": wrapped(behaviors),
                "viewerCertificate": c.viewer_certificate().map(|v| json!({
                    "cloudFrontDefaultCertificate": v.cloud_front_default_certificate(),
                    "minimumProtocolVersion": v.minimum_protocol_version().map(|p| p.as_str()),
                })),
                "origins": wrapped(origins),
                "logging": c.logging().map(|l| json!({ "enabled": l.enabled(), "bucket": l.bucket() })),
                "webACLId": c.web_acl_id().unwrap_or(""),
            },
        });
        out.push(
            item("AWS::CloudFront::Distribution", id, s.account, region, config)
                .named(Some(d.domain_name()))
                .arn(Some(d.arn().to_string())),
        );
    }
    out
}
