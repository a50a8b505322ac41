//! EFS file systems are encrypted at rest.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, aws, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "efs_encryption_at_rest_enabled",
        title: "EFS file systems are encrypted at rest",
        severity: Severity::High,
        resource_types: &[crate::FILE_SYSTEM],
        rationale: "Encryption at rest protects file data on the underlying storage; it can only be chosen when the file system is created.",
        remediation: "Create an encrypted file system (aws efs create-file-system --encrypted), copy the data with DataSync, and switch clients over.",
        references: &[
            reference("aws-config-rule", "EFS_ENCRYPTED_CHECK"),
            reference("prowler", "efs_encryption_at_rest_enabled"),
            reference("cis", "2.4.1"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for fs in inv.items(crate::FILE_SYSTEM).iter() {
        out.verdict(
            fs,
            aws::flag(fs, "/encrypted", "/Encrypted") == Some(true),
            format!("File system {} is encrypted at rest.", fs.name()),
            format!("File system {} is not encrypted at rest.", fs.name()),
        );
    }
}
