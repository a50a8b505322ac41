//! Launch templates require IMDSv2 (or turn the metadata service off).

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_launch_template_imdsv2_required",
        title: "EC2 launch templates require IMDSv2",
        severity: Severity::High,
        resource_types: &[crate::LAUNCH_TEMPLATE],
        rationale: "Every instance launched from the template's default version, by hand, by Auto Scaling or by EKS node groups, inherits its metadata options; with IMDSv1 allowed, a server-side request forgery in any of them can steal the instance role's credentials. The default version is judged, as in AWS Config's rule.",
        remediation: "aws ec2 create-launch-template-version --launch-template-id TEMPLATE --source-version DEFAULT --launch-template-data '{\"MetadataOptions\":{\"HttpTokens\":\"required\",\"HttpEndpoint\":\"enabled\"}}', then aws ec2 modify-launch-template --launch-template-id TEMPLATE --default-version NEW_VERSION",
        references: &[
            reference("aws-config-rule", "EC2_LAUNCH_TEMPLATE_IMDSV2_CHECK"),
            reference("prowler", "ec2_launch_template_imdsv2_required"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for template in inv.items(crate::LAUNCH_TEMPLATE).iter() {
        let name = template.name();
        let version = template.config_i64("/DefaultVersionNumber").map(|v| format!(" (default version {v})")).unwrap_or_default();
        if template.config_str("/LaunchTemplateData/MetadataOptions/HttpEndpoint") == Some("disabled") {
            out.pass(template, format!("Launch template {name}{version} turns the instance metadata service off."));
            continue;
        }
        // Not recorded means IMDSv1 stays allowed (optional).
        match template.config_str("/LaunchTemplateData/MetadataOptions/HttpTokens").unwrap_or("optional") {
            "required" => out.pass(template, format!("Launch template {name}{version} requires IMDSv2.")),
            tokens => out.fail(template, format!("Launch template {name}{version} allows IMDSv1 (HttpTokens={tokens}).")),
        }
    }
}
