//! ElastiCache replication groups take automatic backups.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, inventory_i64, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elasticache_redis_cluster_backup_enabled",
        title: "ElastiCache replication groups have automatic backups enabled",
        severity: Severity::High,
        resource_types: &[crate::REPLICATION_GROUP],
        rationale: "Automatic backups are what a group is restored from after its data is flushed, corrupted or lost with its nodes; a snapshot retention limit of 0 (the default) turns them off. Any retention of a day or more passes, as in Security Hub's ElastiCache.1; AWS Config's rule and Prowler's check can be set to want longer (their defaults are 15 and 7 days).",
        remediation: "aws elasticache modify-replication-group --replication-group-id GROUP --snapshot-retention-limit 7 --snapshot-window 05:00-06:00 --apply-immediately",
        references: &[
            reference("aws-config-rule", "ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK"),
            reference("prowler", "elasticache_redis_cluster_backup_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for group in inv.items(crate::REPLICATION_GROUP).iter() {
        let name = group.name();
        // No automatic backups is the default when the limit is not recorded.
        let days = match group.config("/snapshotRetentionLimit").filter(|v| !v.is_null()) {
            None => 0,
            Some(v) => match inventory_i64(v) {
                Some(days) => days,
                None => {
                    out.error(group, format!("Replication group {name}: snapshotRetentionLimit {v} is not a number of days."));
                    continue;
                }
            },
        };
        out.verdict(
            group,
            days >= 1,
            format!("Replication group {name} keeps automatic backups for {days} day(s)."),
            format!("Replication group {name} has automatic backups turned off (snapshot retention limit {days})."),
        );
    }
}
