//! Instances report CloudWatch metrics every minute.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_instance_detailed_monitoring_enabled",
        title: "EC2 instances have detailed monitoring enabled",
        severity: Severity::Low,
        resource_types: &[crate::INSTANCE],
        rationale: "With basic monitoring an instance sends its CloudWatch metrics every five minutes; detailed monitoring sends them every minute, so alarms on CPU, network or status checks fire and auto scaling reacts minutes sooner.",
        remediation: "aws ec2 monitor-instances --instance-ids ID (in launch templates: \"Monitoring\": {\"Enabled\": true}).",
        references: &[
            reference("aws-config-rule", "EC2_INSTANCE_DETAILED_MONITORING_ENABLED"),
            reference("prowler", "ec2_instance_detailed_monitoring_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for i in inv.items(crate::INSTANCE).iter() {
        if securebase_plugin_sdk::aws::ec2_instance_not_judged(i, out) {
            continue;
        }
        let name = i.name();
        // Not recorded means the default, basic monitoring.
        let state = i.config_str("/monitoring/state").unwrap_or("disabled");
        out.verdict(
            i,
            state == "enabled",
            format!("Instance {name} has detailed monitoring enabled."),
            format!("Instance {name} does not have detailed monitoring enabled (monitoring {state})."),
        );
    }
}
