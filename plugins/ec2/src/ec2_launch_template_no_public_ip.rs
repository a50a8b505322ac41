//! Launch templates do not give instances public IP addresses.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, inventory_bool, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_launch_template_no_public_ip",
        title: "EC2 launch templates do not assign public IP addresses",
        severity: Severity::High,
        resource_types: &[crate::LAUNCH_TEMPLATE],
        rationale: "A network interface with AssociatePublicIpAddress set gives every instance launched from the template's default version a public address, reachable from the whole internet whatever the subnet's own setting. The default version is judged, as in AWS Config's rule; an interface without the setting follows its subnet.",
        remediation: "aws ec2 create-launch-template-version --launch-template-id TEMPLATE --source-version DEFAULT --launch-template-data '{\"NetworkInterfaces\":[{\"DeviceIndex\":0,\"AssociatePublicIpAddress\":false}]}', then aws ec2 modify-launch-template --launch-template-id TEMPLATE --default-version NEW_VERSION",
        references: &[
            reference("aws-config-rule", "EC2_LAUNCH_TEMPLATE_PUBLIC_IP_DISABLED"),
            reference("prowler", "ec2_launch_template_no_public_ip"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for template in inv.items(crate::LAUNCH_TEMPLATE).iter() {
        let name = template.name();
        let version = template.config_i64("/DefaultVersionNumber").map(|v| format!(" (default version {v})")).unwrap_or_default();
        let public: Vec<String> = template
            .config("/LaunchTemplateData/NetworkInterfaces")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|n| n.get("AssociatePublicIpAddress").and_then(inventory_bool) == Some(true))
            .map(|n| match n.get("DeviceIndex").and_then(Value::as_i64) {
                Some(index) => format!("device {index}"),
                None => "an interface".to_string(),
            })
            .collect();
        out.verdict(
            template,
            public.is_empty(),
            format!("Launch template {name}{version} does not assign public IP addresses."),
            format!("Launch template {name}{version} assigns a public IP address to {}.", public.join(", ")),
        );
    }
}
