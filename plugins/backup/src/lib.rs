//! Built-in control plugin for AWS Backup: a backup plan in every enabled region, and
//! backup vaults whose recovery points cannot be deleted early.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod backup_plans_exist;
mod backup_vaults_locked;

/// AWS Config records backup vaults in their CloudFormation shape (PascalCase:
/// `BackupVaultName`, `EncryptionKeyArn`, `Locked`, `MinRetentionDays`, ...); the resource
/// id is the vault's name.
const VAULT: &str = "AWS::Backup::BackupVault";

/// Backup plans (PascalCase: `BackupPlanId`, `BackupPlanName`, `BackupPlanArn`); the
/// resource id is the plan's id, the name its name.
const PLAN: &str = "AWS::Backup::BackupPlan";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin { name: "backup", version: "1.0.0", checks: &[backup_plans_exist::CHECK, backup_vaults_locked::CHECK] };

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
