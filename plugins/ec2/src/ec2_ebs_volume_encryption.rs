//! Every EBS volume is encrypted.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

const VOLUME: &str = "AWS::EC2::Volume";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_ebs_volume_encryption",
        title: "EBS volumes are encrypted",
        severity: Severity::Medium,
        resource_types: &[VOLUME],
        rationale: "Unencrypted volumes and their snapshots expose data to anyone who can copy or share them.",
        remediation: "Snapshot the volume, copy the snapshot with --encrypted, create a volume from the copy and swap it in; enable EBS encryption by default to stop new ones.",
        references: &[reference("aws-config-rule", "ENCRYPTED_VOLUMES"), reference("prowler", "ec2_ebs_volume_encryption")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for v in inv.items(VOLUME).iter() {
        out.verdict(
            v,
            v.config_bool("/encrypted") == Some(true),
            format!("Volume {} is encrypted.", v.resource_id),
            format!("Volume {} is not encrypted.", v.resource_id),
        );
    }
}
