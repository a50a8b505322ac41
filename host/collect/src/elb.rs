//! Classic Elastic Load Balancing of one region: load balancers in AWS Config's camelCase
//! shape (`listenerDescriptions[].listener`, with Config's spellings `dnsname`,
//! `sslcertificateId`), their attributes in the supplementary `LoadBalancerAttributes`.

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "elasticloadbalancing";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::ElasticLoadBalancing::LoadBalancer") {
        return out;
    }
    let elb = client!(aws_sdk_elasticloadbalancing, s);
    let region = s.region;
    let r = elb.describe_load_balancers().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for lb in out.call(SERVICE, region, "DescribeLoadBalancers", r).unwrap_or_default() {
        let Some(name) = lb.load_balancer_name() else { continue };
        let r = elb.describe_load_balancer_attributes().load_balancer_name(name).send().await;
        let Some(attrs) = out.call(SERVICE, region, &format!("DescribeLoadBalancerAttributes {name}"), r) else { continue };
        let a = attrs.load_balancer_attributes();
        let attributes = json!({
            "accessLog": { "enabled": a.and_then(|a| a.access_log()).is_some_and(|l| l.enabled()) },
            "connectionDraining": a.and_then(|a| a.connection_draining()).map(|d| json!({ "enabled": d.enabled(), "timeout": d.timeout() })),
            "crossZoneLoadBalancing": a.and_then(|a| a.cross_zone_load_balancing()).map(|c| json!({ "enabled": c.enabled() })),
            "additionalAttributes": a.map(|a| a.additional_attributes()).unwrap_or_default().iter()
                .map(|x| json!({ "key": x.key(), "value": x.value() })).collect::<Vec<_>>(),
        });
        let listeners: Vec<_> = lb
            .listener_descriptions()
            .iter()
            .filter_map(|d| {
                let l = d.listener()?;
                Some(json!({
                    "listener": {
                        "protocol": l.protocol(),
                        "loadBalancerPort": l.load_balancer_port(),
                        "instanceProtocol": l.instance_protocol(),
                        "instancePort": l.instance_port(),
                        "sslcertificateId": l.ssl_certificate_id(),
                    },
                    "policyNames": d.policy_names(),
                }))
            })
            .collect();
        let config = json!({
            "loadBalancerName": name,
            "dnsname": lb.dns_name(),
            "scheme": lb.scheme(),
            "vpcid": lb.vpc_id(),
            "listenerDescriptions": listeners,
        });
        let arn = format!("arn:aws:elasticloadbalancing:{region}:{}:loadbalancer/{name}", s.account);
        out.push(
            item("AWS::ElasticLoadBalancing::LoadBalancer", name, s.account, region, config)
                .named(Some(name))
                .arn(Some(arn))
                .supplementary(json!({ "LoadBalancerAttributes": attributes })),
        );
    }
    out
}
