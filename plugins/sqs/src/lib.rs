//! Built-in control plugin for Amazon SQS: encryption at rest, public queue policies and
//! TLS-only queue policies.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod sqs_queues_not_publicly_accessible;
mod sqs_queues_secure_transport_policy;
mod sqs_queues_server_side_encryption_enabled;

/// AWS Config records a queue as its attributes (PascalCase, every value a string); the
/// access policy is JSON text under `Policy`.
const QUEUE: &str = "AWS::SQS::Queue";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "sqs",
    version: "1.0.0",
    checks: &[
        sqs_queues_server_side_encryption_enabled::CHECK,
        sqs_queues_not_publicly_accessible::CHECK,
        sqs_queues_secure_transport_policy::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
