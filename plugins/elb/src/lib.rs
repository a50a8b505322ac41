//! Built-in control plugin for Classic Load Balancers: encrypted listeners, access logs,
//! HTTP desync mitigation, cross-zone load balancing and connection draining.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod elb_connection_draining_enabled;
mod elb_cross_zone_load_balancing_enabled;
mod elb_desync_mitigation_mode;
mod elb_logging_enabled;
mod elb_ssl_listeners;

/// AWS Config records Classic Load Balancers in the DescribeLoadBalancers shape (camelCase,
/// `listenerDescriptions[].listener.protocol`), with the DescribeLoadBalancerAttributes
/// answer (`accessLog`, `additionalAttributes`, ...) as supplementary `LoadBalancerAttributes`.
const LOAD_BALANCER: &str = "AWS::ElasticLoadBalancing::LoadBalancer";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "elb",
    version: "1.0.0",
    checks: &[
        elb_ssl_listeners::CHECK,
        elb_logging_enabled::CHECK,
        elb_desync_mitigation_mode::CHECK,
        elb_cross_zone_load_balancing_enabled::CHECK,
        elb_connection_draining_enabled::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
