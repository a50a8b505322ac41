//! Built-in control plugin for Amazon ElastiCache (Valkey and Redis OSS) replication
//! groups: encryption at rest and in transit, AUTH, automatic failover, Multi-AZ and
//! automatic backups.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod elasticache_redis_cluster_auth_enabled;
mod elasticache_redis_cluster_automatic_failover_enabled;
mod elasticache_redis_cluster_backup_enabled;
mod elasticache_redis_cluster_in_transit_encryption_enabled;
mod elasticache_redis_cluster_multi_az_enabled;
mod elasticache_redis_cluster_rest_encryption_enabled;

/// AWS Config records replication groups in the DescribeReplicationGroups shape (camelCase:
/// `atRestEncryptionEnabled`, `transitEncryptionEnabled`, `authTokenEnabled`,
/// `automaticFailover`, `multiAZ`, `snapshotRetentionLimit`, `kmsKeyId`, `engine`); the
/// resource id is the replication group's id.
const REPLICATION_GROUP: &str = "AWS::ElastiCache::ReplicationGroup";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "elasticache",
    version: "1.0.0",
    checks: &[
        elasticache_redis_cluster_rest_encryption_enabled::CHECK,
        elasticache_redis_cluster_in_transit_encryption_enabled::CHECK,
        elasticache_redis_cluster_auth_enabled::CHECK,
        elasticache_redis_cluster_automatic_failover_enabled::CHECK,
        elasticache_redis_cluster_multi_az_enabled::CHECK,
        elasticache_redis_cluster_backup_enabled::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
