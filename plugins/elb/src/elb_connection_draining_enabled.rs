//! Classic Load Balancers let in-flight requests finish before an instance leaves.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, inventory_i64, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elb_connection_draining_enabled",
        title: "Classic Load Balancers have connection draining enabled",
        severity: Severity::Medium,
        resource_types: &[crate::LOAD_BALANCER],
        rationale: "Without connection draining, a Classic Load Balancer cuts the open connections of an instance as soon as it is deregistered or found unhealthy, so deployments, scaling in and failures drop in-flight requests; with it, the load balancer stops sending new requests but lets the current ones finish.",
        remediation: "aws elb modify-load-balancer-attributes --load-balancer-name LB_NAME --load-balancer-attributes '{\"ConnectionDraining\":{\"Enabled\":true,\"Timeout\":300}}'",
        references: &[reference("prowler", "elb_connection_draining_enabled")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for lb in inv.items(crate::LOAD_BALANCER).iter() {
        let name = lb.name();
        // Not recorded means the API's default: off (only the console turns it on).
        if lb.supplementary_bool("/LoadBalancerAttributes/connectionDraining/enabled") == Some(true) {
            let timeout = match lb.supplementary("/LoadBalancerAttributes/connectionDraining/timeout").and_then(inventory_i64) {
                Some(seconds) => format!(" (timeout {seconds} seconds)"),
                None => String::new(),
            };
            out.pass(lb, format!("Classic Load Balancer {name} drains connections{timeout}."));
        } else {
            out.fail(lb, format!("Classic Load Balancer {name} does not have connection draining enabled."));
        }
    }
}
