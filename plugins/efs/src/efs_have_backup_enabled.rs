//! EFS file systems are backed up.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "efs_have_backup_enabled",
        title: "EFS file systems have automatic backups enabled",
        severity: Severity::Medium,
        resource_types: &[crate::FILE_SYSTEM],
        rationale: "Automatic AWS Backup protection lets deleted or corrupted files be restored.",
        remediation: "aws efs put-backup-policy --file-system-id ID --backup-policy Status=ENABLED",
        references: &[reference("aws-config-rule", "EFS_IN_BACKUP_PLAN"), reference("prowler", "efs_have_backup_enabled")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for fs in inv.items(crate::FILE_SYSTEM).iter() {
        let status = fs.config_str("/BackupPolicy/Status").or_else(|| fs.config_str("/backupPolicy/status")).unwrap_or("DISABLED");
        out.verdict(
            fs,
            status.eq_ignore_ascii_case("ENABLED"),
            format!("File system {} has automatic backups enabled.", fs.name()),
            format!("File system {} has automatic backups {}.", fs.name(), status.to_ascii_lowercase()),
        );
    }
}
