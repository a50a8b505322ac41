//! ElastiCache replication groups are Multi-AZ.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elasticache_redis_cluster_multi_az_enabled",
        title: "ElastiCache replication groups have Multi-AZ enabled",
        severity: Severity::Medium,
        resource_types: &[crate::REPLICATION_GROUP],
        rationale: "With Multi-AZ, ElastiCache keeps replicas in other Availability Zones and fails over to one when the primary's zone or node fails, so the cache survives the loss of a zone instead of going cold and sending its whole load to the database behind it.",
        remediation: "aws elasticache modify-replication-group --replication-group-id GROUP --multi-az-enabled --automatic-failover-enabled --apply-immediately (with at least one replica in an Availability Zone other than the primary's).",
        references: &[reference("prowler", "elasticache_redis_cluster_multi_az_enabled")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for group in inv.items(crate::REPLICATION_GROUP).iter() {
        let name = group.name();
        // Disabled is the default when the status is not recorded.
        let status = group.config_str("/multiAZ").unwrap_or("disabled");
        out.verdict(
            group,
            status.eq_ignore_ascii_case("enabled"),
            format!("Replication group {name} has Multi-AZ enabled."),
            format!("Replication group {name} does not have Multi-AZ enabled (status {status})."),
        );
    }
}
