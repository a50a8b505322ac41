//! Built-in control plugin for Amazon RDS: storage encryption, public access, backups, deletion protection, minor version upgrades and public snapshots.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod flags;
mod rds_instance_backup_enabled;
mod rds_instance_deletion_protection;
mod rds_instance_minor_version_upgrade_enabled;
mod rds_instance_no_public_access;
mod rds_instance_storage_encrypted;
mod rds_snapshots_public_access;

const INSTANCE: &str = "AWS::RDS::DBInstance";

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
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        securebase_plugin_sdk::testing::verify_fixtures(&super::PLUGIN, &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"));
    }
}
