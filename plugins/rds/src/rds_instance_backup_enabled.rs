//! RDS instances have automated backups enabled.

pub const CHECK: securebase_plugin_sdk::Check = crate::flags::instance_check!(
    "rds_instance_backup_enabled",
    "RDS instances have automated backups enabled",
    "backupRetentionPeriod",
    None,
    Medium,
    "DB_INSTANCE_BACKUP_ENABLED",
    [],
    "Automated backups and point-in-time recovery are the way back from corruption, deletion or ransomware.",
    "aws rds modify-db-instance --db-instance-identifier ID --backup-retention-period 7 --apply-immediately",
    "keeps automated backups",
    "has automated backups disabled"
);
