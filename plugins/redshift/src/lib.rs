//! Built-in control plugin for Amazon Redshift: encryption, public access, automated
//! snapshots, audit logging, Enhanced VPC Routing and version upgrades.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod redshift_cluster_audit_logging;
mod redshift_cluster_automated_snapshot;
mod redshift_cluster_automatic_upgrades;
mod redshift_cluster_encrypted_at_rest;
mod redshift_cluster_enhanced_vpc_routing;
mod redshift_cluster_public_access;

/// AWS Config records provisioned clusters in the DescribeClusters shape (camelCase:
/// `encrypted`, `publiclyAccessible`, `automatedSnapshotRetentionPeriod`, ...), with the
/// DescribeLoggingStatus answer as `LoggingStatus` in the supplementary configuration.
const CLUSTER: &str = "AWS::Redshift::Cluster";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "redshift",
    version: "1.0.0",
    checks: &[
        redshift_cluster_encrypted_at_rest::CHECK,
        redshift_cluster_public_access::CHECK,
        redshift_cluster_automated_snapshot::CHECK,
        redshift_cluster_audit_logging::CHECK,
        redshift_cluster_enhanced_vpc_routing::CHECK,
        redshift_cluster_automatic_upgrades::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
