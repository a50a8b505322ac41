//! AWS Backup vaults have Vault Lock on.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "backup_vaults_locked",
        title: "AWS Backup vaults have Vault Lock enabled",
        severity: Severity::Medium,
        resource_types: &[crate::VAULT],
        rationale: "Without Vault Lock, anyone allowed to delete recovery points or change their lifecycle can destroy the backups, which is what ransomware operators do before encrypting production data. Vault Lock enforces the retention on every recovery point in the vault (write once, read many), in governance mode against all but specially permitted users and in compliance mode against everyone, root and AWS included, once its grace time has passed.",
        remediation: "aws backup put-backup-vault-lock-configuration --backup-vault-name VAULT --min-retention-days 7 --max-retention-days 365 (governance mode); add --changeable-for-days 3 for compliance mode, which cannot be changed or removed after those days, so check the retention window first.",
        references: &[reference("url", "https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for vault in inv.items(crate::VAULT).iter() {
        let name = vault.name();
        // Unlocked is the default when the flag is not recorded.
        if vault.config_bool("/Locked") != Some(true) {
            out.fail(
                vault,
                format!("Backup vault {name} is not locked: its recovery points can be deleted, or their retention shortened, by anyone allowed to."),
            );
            continue;
        }
        match vault.config_i64("/MinRetentionDays") {
            Some(days) => out.pass(vault, format!("Backup vault {name} is locked: recovery points are kept at least {days} day(s).")),
            None => out.pass(vault, format!("Backup vault {name} is locked.")),
        }
    }
}
