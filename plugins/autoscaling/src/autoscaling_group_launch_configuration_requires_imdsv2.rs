//! Launch configurations require IMDSv2 (or turn the metadata service off).

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "autoscaling_group_launch_configuration_requires_imdsv2",
        title: "Auto Scaling launch configurations require IMDSv2",
        severity: Severity::High,
        resource_types: &[crate::LAUNCH_CONFIGURATION],
        rationale: "IMDSv1 answers any GET request, so a server-side request forgery in any instance the group launches can steal its role's credentials; IMDSv2's session tokens stop that.",
        remediation: "Launch configurations cannot be changed: aws autoscaling create-launch-configuration --launch-configuration-name NEW --image-id AMI --instance-type TYPE --metadata-options HttpTokens=required,HttpEndpoint=enabled, then aws autoscaling update-auto-scaling-group --auto-scaling-group-name GROUP --launch-configuration-name NEW (better, move the group to a launch template).",
        references: &[
            reference("aws-config-rule", "AUTOSCALING_LAUNCHCONFIG_REQUIRES_IMDSV2"),
            reference("prowler", "autoscaling_group_launch_configuration_requires_imdsv2"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for lc in inv.items(crate::LAUNCH_CONFIGURATION).iter() {
        let name = lc.name();
        if lc.config_str("/metadataOptions/httpEndpoint") == Some("disabled") {
            out.pass(lc, format!("Launch configuration {name} has the metadata service disabled."));
            continue;
        }
        match lc.config_str("/metadataOptions/httpTokens") {
            Some("required") => out.pass(lc, format!("Launch configuration {name} requires IMDSv2.")),
            other => out.fail(lc, format!("Launch configuration {name} allows IMDSv1 (httpTokens={}).", other.unwrap_or("unset"))),
        }
    }
}
