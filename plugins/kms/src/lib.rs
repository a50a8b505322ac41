//! Built-in control plugin for AWS KMS: customer-managed key rotation, public key policies and keys scheduled for deletion.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod kms_cmk_not_deleted_unintentionally;
mod kms_cmk_rotation_enabled;
mod kms_key_not_publicly_accessible;

const KEY: &str = "AWS::KMS::Key";

/// Whether the key is a customer-managed, enabled key (AWS-managed keys are AWS's to run).
fn customer_enabled(key: &securebase_plugin_sdk::Item) -> bool {
    key.config_str("/keyManager") == Some("CUSTOMER") && key.config_str("/keyState").is_none_or(|s| s == "Enabled")
}

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "kms",
    version: "1.0.0",
    checks: &[kms_cmk_rotation_enabled::CHECK, kms_key_not_publicly_accessible::CHECK, kms_cmk_not_deleted_unintentionally::CHECK],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
