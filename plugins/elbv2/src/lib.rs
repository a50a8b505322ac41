//! Built-in control plugin for Elastic Load Balancing v2 (application, network and
//! gateway load balancers): encrypted listeners, TLS security policies, access logs,
//! deletion protection, HTTP desync mitigation, invalid header fields and AWS WAF.
//!
//! Checks about a load balancer's listeners report on the load balancer: its listeners
//! are the `AWS::ElasticLoadBalancingV2::Listener` items whose `LoadBalancerArn` is its
//! resource id. Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::{Findings, Item, Plugin, inventory_bool};
use serde_json::Value;

mod elbv2_alb_drop_invalid_header_fields_enabled;
mod elbv2_deletion_protection;
mod elbv2_desync_mitigation_mode;
mod elbv2_insecure_ssl_ciphers;
mod elbv2_logging_enabled;
mod elbv2_ssl_listeners;
mod elbv2_waf_acl_attached;

/// AWS Config records load balancers in the DescribeLoadBalancers shape (camelCase:
/// `type`, `scheme`), with `LoadBalancerAttributes` as supplementary configuration: a
/// list of `{"key", "value"}` whose values are strings, a key absent meaning AWS's default.
/// Our collector adds supplementary `WebACLArn`: the web ACL wafv2 GetWebACLForResource
/// names for the load balancer, or null.
const LOAD_BALANCER: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";

/// AWS Config records listeners in their CloudFormation shape (PascalCase: `Protocol`,
/// `Port`, `SslPolicy`, `DefaultActions`).
const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "elbv2",
    version: "1.0.0",
    checks: &[
        elbv2_ssl_listeners::CHECK,
        elbv2_insecure_ssl_ciphers::CHECK,
        elbv2_logging_enabled::CHECK,
        elbv2_deletion_protection::CHECK,
        elbv2_desync_mitigation_mode::CHECK,
        elbv2_alb_drop_invalid_header_fields_enabled::CHECK,
        elbv2_waf_acl_attached::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

/// The load balancer's type (`application`, `network` or `gateway`); CreateLoadBalancer's
/// default, `application`, when none is recorded.
fn lb_type(lb: &Item) -> &str {
    lb.config_str("/type").unwrap_or("application")
}

/// Whether the load balancer is an Application Load Balancer.
fn is_application(lb: &Item) -> bool {
    lb_type(lb).eq_ignore_ascii_case("application")
}

/// For checks of Application Load Balancer settings: records a Network or Gateway Load
/// Balancer as not applicable, saying why (`about`, e.g. "desync mitigation is an
/// Application Load Balancer setting"), and tells the check to skip it.
fn not_an_alb(lb: &Item, out: &mut Findings, about: &str) -> bool {
    if is_application(lb) {
        return false;
    }
    out.not_applicable(lb, format!("Load balancer {} is a {} load balancer; {about}.", lb.name(), lb_type(lb)));
    true
}

/// One of the load balancer's `LoadBalancerAttributes`, if it is recorded.
fn attribute<'a>(lb: &'a Item, key: &str) -> Option<&'a Value> {
    lb.supplementary("/LoadBalancerAttributes")?
        .as_array()?
        .iter()
        .find(|a| a.get("key").and_then(Value::as_str) == Some(key))?
        .get("value")
}

/// A `"true"`/`"false"` attribute, or AWS's `default` when it is not recorded.
fn attribute_flag(lb: &Item, key: &str, default: bool) -> bool {
    attribute(lb, key).and_then(inventory_bool).unwrap_or(default)
}

/// The listeners of `lb` among `all`: those whose `LoadBalancerArn` is its resource id.
fn listeners_of<'a>(all: &'a [Item], lb: &Item) -> Vec<&'a Item> {
    all.iter().filter(|l| l.config_str("/LoadBalancerArn") == Some(lb.resource_id.as_str())).collect()
}

/// The listener's protocol, upper-cased (`HTTP`, `HTTPS`, `TCP`, `TLS`, ...); empty when not recorded.
fn protocol(listener: &Item) -> String {
    listener.config_str("/Protocol").unwrap_or_default().to_ascii_uppercase()
}

/// How a message names a listener: `HTTPS:443`.
fn listener_label(listener: &Item) -> String {
    let protocol = listener.config_str("/Protocol").unwrap_or("?");
    match listener.config_i64("/Port") {
        Some(port) => format!("{protocol}:{port}"),
        None => protocol.to_string(),
    }
}

securebase_plugin_sdk::fixtures_test!(PLUGIN);
