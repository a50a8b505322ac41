//! No AMI the account owns can be launched by anyone.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_ami_public",
        title: "AMIs owned by the account are not public",
        severity: Severity::Critical,
        resource_types: &[crate::IMAGE],
        rationale: "Any AWS account can launch a public AMI and read everything baked into it: application code, configuration files, SSH keys, credentials and data left on its snapshots.",
        remediation: "aws ec2 modify-image-attribute --image-id AMI --launch-permission \"Remove=[{Group=all}]\"; aws ec2 enable-image-block-public-access --image-block-public-access-state block-new-sharing stops new public sharing in the region.",
        references: &[reference("prowler", "ec2_ami_public")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for image in inv.items(crate::IMAGE).iter() {
        let name = image.name();
        out.verdict(
            image,
            image.config_bool("/public") != Some(true),
            format!("AMI {name} is private."),
            format!("AMI {name} is public: any AWS account can launch it."),
        );
    }
}
