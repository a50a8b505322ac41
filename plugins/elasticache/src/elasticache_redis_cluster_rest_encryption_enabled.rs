//! ElastiCache replication groups are encrypted at rest.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elasticache_redis_cluster_rest_encryption_enabled",
        title: "ElastiCache replication groups are encrypted at rest",
        severity: Severity::Medium,
        resource_types: &[crate::REPLICATION_GROUP],
        rationale: "Encryption at rest protects the data ElastiCache writes to disk (swap, sync and snapshot files, backups in S3); cached data is often session tokens and personal data. It can only be chosen when the group is created: on by default for Valkey, off for Redis OSS.",
        remediation: "Take a snapshot (aws elasticache create-snapshot --replication-group-id GROUP --snapshot-name SNAPSHOT), create an encrypted group from it (aws elasticache create-replication-group --replication-group-id NEW_GROUP --replication-group-description DESCRIPTION --engine redis --cache-node-type NODE_TYPE --snapshot-name SNAPSHOT --at-rest-encryption-enabled --kms-key-id KEY_ARN), move clients to the new endpoint and delete the old group.",
        references: &[
            reference("aws-config-rule", "ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST"),
            reference("prowler", "elasticache_redis_cluster_rest_encryption_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for group in inv.items(crate::REPLICATION_GROUP).iter() {
        let name = group.name();
        // When the flag is not recorded, the engine's default: on for Valkey, off for Redis OSS.
        let valkey = group.config_str("/engine").is_some_and(|e| e.eq_ignore_ascii_case("valkey"));
        if !group.config_bool("/atRestEncryptionEnabled").unwrap_or(valkey) {
            out.fail(group, format!("Replication group {name} is not encrypted at rest."));
            continue;
        }
        match group.config_str("/kmsKeyId").map(str::trim).filter(|k| !k.is_empty()) {
            Some(key) => out.pass(group, format!("Replication group {name} is encrypted at rest with KMS key {key}.")),
            None => out.pass(group, format!("Replication group {name} is encrypted at rest.")),
        }
    }
}
