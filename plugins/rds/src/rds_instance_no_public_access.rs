//! RDS instances are not publicly accessible.

pub const CHECK: securebase_plugin_sdk::Check = crate::flags::instance_check!(
    "rds_instance_no_public_access",
    "RDS instances are not publicly accessible",
    "publiclyAccessible",
    Some(false),
    Critical,
    "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
    ["2.3.3"],
    "A publicly accessible instance gets a public DNS name and address that anyone can try to reach and brute-force.",
    "aws rds modify-db-instance --db-instance-identifier ID --no-publicly-accessible --apply-immediately",
    "is not publicly accessible",
    "is publicly accessible"
);
