//! Launch configurations do not give their instances public IP addresses.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "autoscaling_group_launch_configuration_no_public_ip",
        title: "Auto Scaling launch configurations do not assign public IP addresses",
        severity: Severity::High,
        resource_types: &[crate::LAUNCH_CONFIGURATION],
        rationale: "Instances launched with a public IP address are reachable from the internet, where only their security groups stand between them and every scanner; instances behind a load balancer do not need one.",
        remediation: "Launch configurations cannot be changed: aws autoscaling create-launch-configuration --launch-configuration-name NEW --image-id AMI --instance-type TYPE --no-associate-public-ip-address, then aws autoscaling update-auto-scaling-group --auto-scaling-group-name GROUP --launch-configuration-name NEW (better, move the group to a launch template).",
        references: &[
            reference("aws-config-rule", "AUTOSCALING_LAUNCH_CONFIG_PUBLIC_IP_DISABLED"),
            reference("prowler", "autoscaling_group_launch_configuration_no_public_ip"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for lc in inv.items(crate::LAUNCH_CONFIGURATION).iter() {
        let name = lc.name();
        match lc.config_bool("/associatePublicIpAddress") {
            Some(true) => out.fail(lc, format!("Launch configuration {name} assigns public IP addresses to its instances.")),
            Some(false) => out.pass(lc, format!("Launch configuration {name} does not assign public IP addresses.")),
            None => out.pass(lc, format!("Launch configuration {name} leaves public IP addresses to the subnet's setting.")),
        }
    }
}
