//! RDS instances have deletion protection enabled.

pub const CHECK: securebase_plugin_sdk::Check = crate::flags::instance_check!(
    "rds_instance_deletion_protection",
    "RDS instances have deletion protection enabled",
    "deletionProtection",
    Some(true),
    Medium,
    "RDS_INSTANCE_DELETION_PROTECTION_ENABLED",
    [],
    "Deletion protection stops an instance from being deleted by mistake or by a compromised automation.",
    "aws rds modify-db-instance --db-instance-identifier ID --deletion-protection --apply-immediately",
    "has deletion protection",
    "has no deletion protection"
);
