//! ElastiCache replication groups fail over automatically.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elasticache_redis_cluster_automatic_failover_enabled",
        title: "ElastiCache replication groups have automatic failover enabled",
        severity: Severity::Medium,
        resource_types: &[crate::REPLICATION_GROUP],
        rationale: "With automatic failover, ElastiCache promotes a replica when the primary fails, and writes resume within minutes; without it, writes stop until someone promotes a replica by hand. Only the status enabled counts: a group still enabling or disabling failover cannot be relied on yet.",
        remediation: "aws elasticache modify-replication-group --replication-group-id GROUP --automatic-failover-enabled --apply-immediately (the group needs at least one replica: aws elasticache increase-replica-count --replication-group-id GROUP --new-replica-count 1 --apply-immediately).",
        references: &[
            reference("aws-config-rule", "ELASTICACHE_REPL_GRP_AUTO_FAILOVER_ENABLED"),
            reference("prowler", "elasticache_redis_cluster_automatic_failover_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for group in inv.items(crate::REPLICATION_GROUP).iter() {
        let name = group.name();
        // Disabled is the default when the status is not recorded.
        let status = group.config_str("/automaticFailover").unwrap_or("disabled");
        out.verdict(
            group,
            status.eq_ignore_ascii_case("enabled"),
            format!("Replication group {name} has automatic failover enabled."),
            format!("Replication group {name} does not have automatic failover enabled (status {status})."),
        );
    }
}
