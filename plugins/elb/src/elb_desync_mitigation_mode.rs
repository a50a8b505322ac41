//! Classic Load Balancers mitigate HTTP desync in defensive or strictest mode.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elb_desync_mitigation_mode",
        title: "Classic Load Balancers use the defensive or strictest desync mitigation mode",
        severity: Severity::Medium,
        resource_types: &[crate::LOAD_BALANCER],
        rationale: "In monitor mode a Classic Load Balancer forwards ambiguous requests that it and its instances may parse differently, which enables HTTP request smuggling: cache and queue poisoning, hijacked sessions and requests that bypass controls.",
        remediation: "aws elb modify-load-balancer-attributes --load-balancer-name LB_NAME --load-balancer-attributes '{\"AdditionalAttributes\":[{\"Key\":\"elb.http.desyncmitigationmode\",\"Value\":\"defensive\"}]}' (or strictest)",
        references: &[reference("aws-config-rule", "CLB_DESYNC_MODE_CHECK"), reference("prowler", "elb_desync_mitigation_mode")],
    },
    run,
};

const DESYNC_KEY: &str = "elb.http.desyncmitigationmode";

fn run(inv: &Inventory, out: &mut Findings) {
    for lb in inv.items(crate::LOAD_BALANCER).iter() {
        let name = lb.name();
        // Not recorded means AWS's default, defensive.
        let mode = lb
            .supplementary("/LoadBalancerAttributes/additionalAttributes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|a| a.get("key").and_then(Value::as_str) == Some(DESYNC_KEY))
            .and_then(|a| a.get("value"))
            .and_then(Value::as_str)
            .unwrap_or("defensive");
        out.verdict(
            lb,
            mode.eq_ignore_ascii_case("defensive") || mode.eq_ignore_ascii_case("strictest"),
            format!("Classic Load Balancer {name} uses the {mode} desync mitigation mode."),
            format!("Classic Load Balancer {name} uses the {mode} desync mitigation mode, not defensive or strictest."),
        );
    }
}
