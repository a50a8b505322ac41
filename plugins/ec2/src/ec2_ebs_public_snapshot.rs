//! No EBS snapshot can be restored by anyone.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// Our own resource type: AWS Config does not record EBS snapshots.
const SNAPSHOT: &str = "SecureBase::EC2::EbsSnapshot";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_ebs_public_snapshot",
        title: "EBS snapshots are not public",
        severity: Severity::Critical,
        resource_types: &[SNAPSHOT],
        rationale: "Any AWS account can create a volume from a public snapshot and read all of its data.",
        remediation: "aws ec2 modify-snapshot-attribute --snapshot-id ID --attribute createVolumePermission --operation-type remove --group-names all",
        references: &[
            reference("aws-config-rule", "EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK"),
            reference("prowler", "ec2_ebs_public_snapshot"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for s in inv.items(SNAPSHOT).iter() {
        let public = s
            .config("/createVolumePermissions")
            .and_then(|p| p.as_array())
            .is_some_and(|perms| perms.iter().any(|p| p.get("group").and_then(|g| g.as_str()) == Some("all")));
        out.verdict(
            s,
            !public,
            format!("Snapshot {} is private.", s.resource_id),
            format!("Snapshot {} can be restored by any AWS account.", s.resource_id),
        );
    }
}
