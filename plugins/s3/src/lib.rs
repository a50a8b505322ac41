//! Built-in control plugin for Amazon S3: encryption, versioning, public access,
//! TLS-only policies, access logging and MFA delete.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::{Item, Plugin};

mod s3_account_level_public_access_blocks;
mod s3_bucket_default_encryption;
mod s3_bucket_level_public_access_block;
mod s3_bucket_no_mfa_delete;
mod s3_bucket_object_versioning;
mod s3_bucket_public_access;
mod s3_bucket_secure_transport_policy;
mod s3_bucket_server_access_logging_enabled;

const BUCKET: &str = "AWS::S3::Bucket";
const ACCOUNT_PAB: &str = "AWS::S3::AccountPublicAccessBlock";

/// The plugin: every S3 check, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "s3",
    version: "1.0.0",
    checks: &[
        s3_bucket_default_encryption::CHECK,
        s3_bucket_object_versioning::CHECK,
        s3_bucket_level_public_access_block::CHECK,
        s3_account_level_public_access_blocks::CHECK,
        s3_bucket_public_access::CHECK,
        s3_bucket_secure_transport_policy::CHECK,
        s3_bucket_server_access_logging_enabled::CHECK,
        s3_bucket_no_mfa_delete::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

use securebase_plugin_sdk::aws::pab_missing;

fn bucket_name(item: &Item) -> &str {
    item.name()
}

securebase_plugin_sdk::fixtures_test!(PLUGIN);
