//! Built-in control plugin for Amazon EFS: encryption at rest and backups.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod efs_encryption_at_rest_enabled;
mod efs_have_backup_enabled;

/// AWS Config records EFS file systems in their CloudFormation shape (PascalCase).
const FILE_SYSTEM: &str = "AWS::EFS::FileSystem";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin =
    Plugin { name: "efs", version: "1.0.0", checks: &[efs_encryption_at_rest_enabled::CHECK, efs_have_backup_enabled::CHECK] };

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
