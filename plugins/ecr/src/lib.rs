//! Built-in control plugin for Amazon ECR: scan on push, tag immutability, public repository policies, lifecycle policies
//! and encryption with customer managed KMS keys.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod ecr_repositories_encrypted_with_kms;
mod ecr_repositories_lifecycle_policy_enabled;
mod ecr_repositories_not_publicly_accessible;
mod ecr_repositories_scan_images_on_push_enabled;
mod ecr_repositories_tag_immutability;

/// AWS Config records ECR repositories in their CloudFormation shape (PascalCase).
const REPOSITORY: &str = "AWS::ECR::Repository";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "ecr",
    version: "1.0.0",
    checks: &[
        ecr_repositories_scan_images_on_push_enabled::CHECK,
        ecr_repositories_tag_immutability::CHECK,
        ecr_repositories_not_publicly_accessible::CHECK,
        ecr_repositories_lifecycle_policy_enabled::CHECK,
        ecr_repositories_encrypted_with_kms::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
