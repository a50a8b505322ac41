//! Built-in control plugin for Amazon DynamoDB: point-in-time recovery, KMS encryption and deletion protection.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod dynamodb_table_deletion_protection_enabled;
mod dynamodb_tables_kms_cmk_encryption_enabled;
mod dynamodb_tables_pitr_enabled;

/// AWS Config records DynamoDB tables in the DescribeTable shape, camelCase
/// (`ssedescription`, `deletionProtectionEnabled`), with the continuous-backups
/// description as supplementary configuration.
const TABLE: &str = "AWS::DynamoDB::Table";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "dynamodb",
    version: "1.0.0",
    checks: &[
        dynamodb_tables_pitr_enabled::CHECK,
        dynamodb_tables_kms_cmk_encryption_enabled::CHECK,
        dynamodb_table_deletion_protection_enabled::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
