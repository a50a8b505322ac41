//! RDS instances have storage encryption enabled.

pub const CHECK: securebase_plugin_sdk::Check = crate::flags::instance_check!(
    "rds_instance_storage_encrypted",
    "RDS instances have storage encryption enabled",
    "storageEncrypted",
    Some(true),
    High,
    "RDS_STORAGE_ENCRYPTED",
    ["2.3.1"],
    "Encryption at rest protects the database files, automated backups, read replicas and snapshots.",
    "Encryption can only be chosen at creation: snapshot the instance, copy the snapshot with --kms-key-id, restore it and switch the application over.",
    "storage is encrypted",
    "storage is not encrypted"
);
