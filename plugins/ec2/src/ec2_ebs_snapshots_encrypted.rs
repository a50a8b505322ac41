//! Every EBS snapshot is encrypted.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_ebs_snapshots_encrypted",
        title: "EBS snapshots are encrypted",
        severity: Severity::High,
        resource_types: &[crate::EBS_SNAPSHOT],
        rationale: "A snapshot holds a whole volume's data; unencrypted, anyone it is shared with, or who can copy it, reads that data without needing a KMS key, and volumes created from it are unencrypted too.",
        remediation: "aws ec2 copy-snapshot --source-region REGION --source-snapshot-id SNAPSHOT --encrypted --kms-key-id KEY --description \"encrypted copy of SNAPSHOT\", then aws ec2 delete-snapshot --snapshot-id SNAPSHOT; aws ec2 enable-ebs-encryption-by-default stops new unencrypted volumes and snapshots.",
        references: &[reference("prowler", "ec2_ebs_snapshots_encrypted")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for s in inv.items(crate::EBS_SNAPSHOT).iter() {
        let name = s.name();
        out.verdict(
            s,
            s.config_bool("/encrypted") == Some(true),
            format!("Snapshot {name} is encrypted."),
            format!("Snapshot {name} is not encrypted."),
        );
    }
}
