//! Auto Scaling groups behind a load balancer use its health checks.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "autoscaling_group_elb_health_check_enabled",
        title: "Auto Scaling groups with a load balancer use Elastic Load Balancing health checks",
        severity: Severity::Low,
        resource_types: &[crate::GROUP],
        rationale: "EC2 health checks only see whether the instance is running; with ELB health checks the group also replaces instances the load balancer finds unable to serve, instead of keeping them in service.",
        remediation: "aws autoscaling update-auto-scaling-group --auto-scaling-group-name GROUP --health-check-type ELB --health-check-grace-period 300",
        references: &[
            reference("aws-config-rule", "AUTOSCALING_GROUP_ELB_HEALTHCHECK_REQUIRED"),
            reference("prowler", "autoscaling_group_elb_health_check_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for g in inv.items(crate::GROUP).iter() {
        let name = g.name();
        let count = |pointer: &str| g.config(pointer).and_then(Value::as_array).map_or(0, Vec::len);
        if count("/loadBalancerNames") + count("/targetGroupARNs") == 0 {
            out.not_applicable(g, format!("Auto Scaling group {name} has no load balancer or target group."));
            continue;
        }
        let kind = g.config_str("/healthCheckType").unwrap_or("EC2");
        out.verdict(
            g,
            kind.split(',').any(|t| t.trim().eq_ignore_ascii_case("ELB")),
            format!("Auto Scaling group {name} uses Elastic Load Balancing health checks."),
            format!("Auto Scaling group {name} is behind a load balancer but uses {kind} health checks only."),
        );
    }
}
