//! Built-in control plugin for Amazon SNS: KMS encryption at rest, public topic policies
//! and TLS-only topic policies.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod sns_topics_kms_encryption_at_rest_enabled;
mod sns_topics_not_publicly_accessible;
mod sns_topics_secure_transport_policy;

/// AWS Config records a topic as its attributes (PascalCase); the access policy is JSON
/// text under `Policy`.
const TOPIC: &str = "AWS::SNS::Topic";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "sns",
    version: "1.0.0",
    checks: &[
        sns_topics_kms_encryption_at_rest_enabled::CHECK,
        sns_topics_not_publicly_accessible::CHECK,
        sns_topics_secure_transport_policy::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
