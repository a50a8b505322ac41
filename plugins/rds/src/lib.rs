//! Built-in control plugin for Amazon RDS: storage encryption, public access, backups, deletion protection, minor version upgrades,
//! Multi-AZ, IAM authentication, enhanced monitoring, log exports, tags on snapshots, and public or unencrypted snapshots.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::{Item, Plugin};

mod flags;
mod rds_instance_backup_enabled;
mod rds_instance_copy_tags_to_snapshots;
mod rds_instance_deletion_protection;
mod rds_instance_enhanced_monitoring_enabled;
mod rds_instance_iam_authentication_enabled;
mod rds_instance_integration_cloudwatch_logs;
mod rds_instance_minor_version_upgrade_enabled;
mod rds_instance_multi_az;
mod rds_instance_no_public_access;
mod rds_instance_storage_encrypted;
mod rds_snapshots_encrypted;
mod rds_snapshots_public_access;

const INSTANCE: &str = "AWS::RDS::DBInstance";

/// AWS Config records DB snapshots in the DescribeDBSnapshots shape (camelCase).
const SNAPSHOT: &str = "AWS::RDS::DBSnapshot";

/// The instance's engine (`postgres`, `mysql`, `aurora-postgresql`, ...); empty when not recorded.
fn engine(db: &Item) -> &str {
    db.config_str("/engine").unwrap_or_default()
}

/// Whether the instance belongs to an engine whose cluster, not the instance, holds
/// availability and snapshot settings: Aurora, DocumentDB and Neptune.
fn cluster_engine(db: &Item) -> bool {
    let engine = engine(db);
    engine.starts_with("aurora") || engine == "docdb" || engine == "neptune"
}

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "rds",
    version: "1.0.0",
    checks: &[
        rds_instance_storage_encrypted::CHECK,
        rds_instance_no_public_access::CHECK,
        rds_instance_backup_enabled::CHECK,
        rds_instance_deletion_protection::CHECK,
        rds_instance_minor_version_upgrade_enabled::CHECK,
        rds_snapshots_public_access::CHECK,
        rds_instance_multi_az::CHECK,
        rds_instance_iam_authentication_enabled::CHECK,
        rds_instance_enhanced_monitoring_enabled::CHECK,
        rds_instance_integration_cloudwatch_logs::CHECK,
        rds_instance_copy_tags_to_snapshots::CHECK,
        rds_snapshots_encrypted::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
