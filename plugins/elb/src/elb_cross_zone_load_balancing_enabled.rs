//! Classic Load Balancers spread requests across all their Availability Zones.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elb_cross_zone_load_balancing_enabled",
        title: "Classic Load Balancers have cross-zone load balancing enabled",
        severity: Severity::Medium,
        resource_types: &[crate::LOAD_BALANCER],
        rationale: "Without cross-zone load balancing each load balancer node only sends requests to the instances in its own Availability Zone, so a zone with fewer healthy instances is overloaded and the loss of instances in one zone degrades service even when others have capacity.",
        remediation: "aws elb modify-load-balancer-attributes --load-balancer-name LB_NAME --load-balancer-attributes '{\"CrossZoneLoadBalancing\":{\"Enabled\":true}}'",
        references: &[
            reference("aws-config-rule", "ELB_CROSS_ZONE_LOAD_BALANCING_ENABLED"),
            reference("prowler", "elb_cross_zone_load_balancing_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for lb in inv.items(crate::LOAD_BALANCER).iter() {
        let name = lb.name();
        // Not recorded means the API's default: off (only the console turns it on).
        out.verdict(
            lb,
            lb.supplementary_bool("/LoadBalancerAttributes/crossZoneLoadBalancing/enabled") == Some(true),
            format!("Classic Load Balancer {name} balances requests across all its Availability Zones."),
            format!("Classic Load Balancer {name} does not have cross-zone load balancing enabled."),
        );
    }
}
