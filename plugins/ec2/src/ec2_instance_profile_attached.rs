//! Instances get AWS credentials from an IAM instance profile.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_instance_profile_attached",
        title: "EC2 instances have an IAM instance profile attached",
        severity: Severity::Medium,
        resource_types: &[crate::INSTANCE],
        rationale: "An instance profile gives the instance's software temporary, automatically rotated credentials for its role; without one, applications that call AWS end up with long-lived access keys stored on disk, in code or in user data, where they leak and are never rotated. The profile is also what lets Systems Manager manage the instance.",
        remediation: "aws ec2 associate-iam-instance-profile --instance-id ID --iam-instance-profile Name=PROFILE (a profile whose role has only the permissions the instance needs, e.g. AmazonSSMManagedInstanceCore).",
        references: &[reference("aws-config-rule", "EC2_INSTANCE_PROFILE_ATTACHED"), reference("prowler", "ec2_instance_profile_attached")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for i in inv.items(crate::INSTANCE).iter() {
        if securebase_plugin_sdk::aws::ec2_instance_not_judged(i, out) {
            continue;
        }
        let name = i.name();
        let profile = i.config_str("/iamInstanceProfile/arn").or_else(|| i.config_str("/iamInstanceProfile/id")).filter(|p| !p.is_empty());
        match profile {
            Some(profile) => out.pass(i, format!("Instance {name} has instance profile {profile}.")),
            None => out.fail(i, format!("Instance {name} has no IAM instance profile.")),
        }
    }
}
