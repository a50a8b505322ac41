//! Redshift clusters take automated snapshots.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, inventory_i64, reference};

/// The retention period CreateCluster applies when none is given, in days.
const DEFAULT_RETENTION_DAYS: i64 = 1;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "redshift_cluster_automated_snapshot",
        title: "Redshift clusters have automated snapshots enabled",
        severity: Severity::High,
        resource_types: &[crate::CLUSTER],
        rationale: "Automated snapshots are what a cluster is restored from after data is deleted, corrupted or encrypted by an attacker; a retention period of 0 turns them off.",
        remediation: "aws redshift modify-cluster --cluster-identifier CLUSTER --automated-snapshot-retention-period 7",
        references: &[reference("aws-config-rule", "REDSHIFT_BACKUP_ENABLED"), reference("prowler", "redshift_cluster_automated_snapshot")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for cluster in inv.items(crate::CLUSTER).iter() {
        let name = cluster.name();
        let days = match cluster.config("/automatedSnapshotRetentionPeriod").filter(|v| !v.is_null()) {
            None => DEFAULT_RETENTION_DAYS,
            Some(v) => match inventory_i64(v) {
                Some(days) => days,
                None => {
                    out.error(cluster, format!("Cluster {name}: automatedSnapshotRetentionPeriod {v} is not a number of days."));
                    continue;
                }
            },
        };
        out.verdict(
            cluster,
            days > 0,
            format!("Cluster {name} keeps automated snapshots for {days} day(s)."),
            format!("Cluster {name} has automated snapshots turned off (retention period {days})."),
        );
    }
}
