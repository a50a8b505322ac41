//! Elastic Load Balancing v2 of one region: load balancers in AWS Config's camelCase shape
//! with their attributes in the supplementary `LoadBalancerAttributes` (a list of string
//! `{key, value}` pairs, as Config records it; and `WebACLArn`, the AWS WAF web ACL of an
//! Application Load Balancer, a key of our own: Config's item does not say), and each
//! listener as its own
//! `AWS::ElasticLoadBalancingV2::Listener` item in the CloudFormation shape Config uses.

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::{Value, json};

pub(crate) const SERVICE: &str = "elasticloadbalancing";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    let (lbs_wanted, listeners_wanted) =
        (s.wants("AWS::ElasticLoadBalancingV2::LoadBalancer"), s.wants("AWS::ElasticLoadBalancingV2::Listener"));
    if !lbs_wanted && !listeners_wanted {
        return out;
    }
    let elb = client!(aws_sdk_elasticloadbalancingv2, s);
    let waf = client!(aws_sdk_wafv2, s);
    let region = s.region;
    let r = elb.describe_load_balancers().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for lb in out.call(SERVICE, region, "DescribeLoadBalancers", r).unwrap_or_default() {
        let Some(arn) = lb.load_balancer_arn() else { continue };
        if listeners_wanted {
            let r = elb.describe_listeners().load_balancer_arn(arn).into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
            for l in out.call(SERVICE, region, &format!("DescribeListeners {arn}"), r).unwrap_or_default() {
                let Some(listener_arn) = l.listener_arn() else { continue };
                let actions: Vec<Value> = l
                    .default_actions()
                    .iter()
                    .map(|a| {
                        let mut action = json!({ "Type": a.r#type().map(|t| t.as_str()) });
                        if let Some(r) = a.redirect_config() {
                            action["RedirectConfig"] = json!({
                                "Protocol": r.protocol(),
                                "Port": r.port(),
                                "StatusCode": r.status_code().map(|c| c.as_str()),
                            });
                        }
                        action
                    })
                    .collect();
                let config = json!({
                    "ListenerArn": listener_arn,
                    "LoadBalancerArn": arn,
                    "Port": l.port(),
                    "Protocol": l.protocol().map(|p| p.as_str()),
                    "SslPolicy": l.ssl_policy(),
                    "Certificates": l.certificates().iter().map(|c| json!({ "CertificateArn": c.certificate_arn() })).collect::<Vec<_>>(),
                    "DefaultActions": actions,
                });
                out.push(
                    item("AWS::ElasticLoadBalancingV2::Listener", listener_arn, s.account, region, config)
                        .arn(Some(listener_arn.to_string())),
                );
            }
        }
        if !lbs_wanted {
            continue;
        }
        let r = elb.describe_load_balancer_attributes().load_balancer_arn(arn).send().await;
        // Logging and deletion protection decide checks: not emitted without its attributes.
        let Some(attrs) = out.call(SERVICE, region, &format!("DescribeLoadBalancerAttributes {arn}"), r) else { continue };
        let attributes: Vec<Value> = attrs.attributes().iter().map(|a| json!({ "key": a.key(), "value": a.value() })).collect();
        // Only an Application Load Balancer can have a web ACL (asking for another is an
        // error); which one protects it decides a check, so it is not emitted without it.
        let web_acl = if lb.r#type().is_some_and(|t| t.as_str() == "application") {
            let r = waf.get_web_acl_for_resource().resource_arn(arn).send().await;
            let Some(acl) = out.call("wafv2", region, &format!("GetWebACLForResource {arn}"), r) else { continue };
            acl.web_acl().map(|a| a.arn().to_string())
        } else {
            None
        };

        let config = json!({
            "loadBalancerArn": arn,
            "loadBalancerName": lb.load_balancer_name(),
            "dNSName": lb.dns_name(),
            "scheme": lb.scheme().map(|x| x.as_str()),
            "type": lb.r#type().map(|x| x.as_str()),
            "vpcId": lb.vpc_id(),
        });
        out.push(
            item("AWS::ElasticLoadBalancingV2::LoadBalancer", arn, s.account, region, config)
                .named(lb.load_balancer_name())
                .arn(Some(arn.to_string()))
                .supplementary(json!({ "LoadBalancerAttributes": attributes, "WebACLArn": web_acl })),
        );
    }
    out
}
