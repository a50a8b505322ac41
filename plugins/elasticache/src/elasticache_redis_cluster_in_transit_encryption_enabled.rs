//! ElastiCache replication groups encrypt traffic in transit.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elasticache_redis_cluster_in_transit_encryption_enabled",
        title: "ElastiCache replication groups have encryption in transit enabled",
        severity: Severity::Medium,
        resource_types: &[crate::REPLICATION_GROUP],
        rationale: "Without TLS, commands, cached values and AUTH tokens cross the network in clear text between clients and nodes and between the nodes themselves, where anyone who can capture the traffic reads or alters them. AUTH can only be turned on with encryption in transit.",
        remediation: "aws elasticache modify-replication-group --replication-group-id GROUP --transit-encryption-enabled --transit-encryption-mode preferred --apply-immediately; once every client connects with TLS, run it again with --transit-encryption-mode required (Valkey and Redis OSS 7 and later; older engines need a new group created with --transit-encryption-enabled).",
        references: &[
            reference("aws-config-rule", "ELASTICACHE_REPL_GRP_ENCRYPTED_IN_TRANSIT"),
            reference("prowler", "elasticache_redis_cluster_in_transit_encryption_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for group in inv.items(crate::REPLICATION_GROUP).iter() {
        let name = group.name();
        // Off is the default when the flag is not recorded.
        out.verdict(
            group,
            group.config_bool("/transitEncryptionEnabled") == Some(true),
            format!("Replication group {name} encrypts traffic in transit."),
            format!("Replication group {name} does not encrypt traffic in transit."),
        );
    }
}
