//! RDS snapshots are encrypted.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "rds_snapshots_encrypted",
        title: "RDS snapshots are encrypted",
        severity: Severity::High,
        resource_types: &[crate::SNAPSHOT],
        rationale: "A snapshot holds the whole database; unencrypted, anyone who can copy, share or restore it reads the data without needing a KMS key, and an instance restored from it is unencrypted too.",
        remediation: "aws rds copy-db-snapshot --source-db-snapshot-identifier SNAPSHOT --target-db-snapshot-identifier SNAPSHOT-encrypted --kms-key-id KEY, then delete the unencrypted snapshot: aws rds delete-db-snapshot --db-snapshot-identifier SNAPSHOT",
        references: &[reference("aws-config-rule", "RDS_SNAPSHOT_ENCRYPTED"), reference("prowler", "rds_snapshots_encrypted")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for s in inv.items(crate::SNAPSHOT).iter() {
        let name = s.name();
        out.verdict(
            s,
            s.config_bool("/encrypted") == Some(true),
            format!("Snapshot {name} is encrypted."),
            format!("Snapshot {name} is not encrypted."),
        );
    }
}
