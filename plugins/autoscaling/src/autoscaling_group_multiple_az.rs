//! Auto Scaling groups span more than one Availability Zone.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "autoscaling_group_multiple_az",
        title: "Auto Scaling groups span multiple Availability Zones",
        severity: Severity::Medium,
        resource_types: &[crate::GROUP],
        rationale: "A group confined to one Availability Zone goes down with that zone; spread over several, it keeps serving and replaces the lost capacity in the zones that remain.",
        remediation: "aws autoscaling update-auto-scaling-group --auto-scaling-group-name GROUP --vpc-zone-identifier \"SUBNET_IN_AZ1,SUBNET_IN_AZ2\"",
        references: &[reference("aws-config-rule", "AUTOSCALING_MULTIPLE_AZ"), reference("prowler", "autoscaling_group_multiple_az")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for g in inv.items(crate::GROUP).iter() {
        let name = g.name();
        let mut zones: Vec<&str> =
            g.config("/availabilityZones").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        zones.sort_unstable();
        zones.dedup();
        if zones.len() > 1 {
            out.pass(g, format!("Auto Scaling group {name} spans {} Availability Zones ({}).", zones.len(), zones.join(", ")));
        } else {
            let only = zones.first().copied().unwrap_or("none recorded");
            out.fail(g, format!("Auto Scaling group {name} runs in a single Availability Zone ({only})."));
        }
    }
}
