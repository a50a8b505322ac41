//! RDS instances have auto minor version upgrade enabled.

pub const CHECK: securebase_plugin_sdk::Check = crate::flags::instance_check!(
    "rds_instance_minor_version_upgrade_enabled",
    "RDS instances have auto minor version upgrade enabled",
    "autoMinorVersionUpgrade",
    Some(true),
    Low,
    "RDS_AUTOMATIC_MINOR_VERSION_UPGRADE_ENABLED",
    ["2.3.2"],
    "Minor versions carry security fixes; applying them in the maintenance window keeps the engine patched.",
    "aws rds modify-db-instance --db-instance-identifier ID --auto-minor-version-upgrade --apply-immediately",
    "upgrades minor versions automatically",
    "does not upgrade minor versions automatically"
);
