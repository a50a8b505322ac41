//! Built-in control plugin for Amazon EKS: endpoint exposure, control plane logging,
//! secrets encryption and supported Kubernetes versions.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod eks_cluster_kms_cmk_encryption_in_secrets_enabled;
mod eks_cluster_uses_a_supported_version;
mod eks_control_plane_logging_all_types_enabled;
mod eks_endpoints_not_publicly_accessible;

/// AWS Config records EKS clusters in their CloudFormation shape (PascalCase:
/// `ResourcesVpcConfig`, `Logging.ClusterLogging.EnabledTypes`, `EncryptionConfig`, `Version`).
const CLUSTER: &str = "AWS::EKS::Cluster";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "eks",
    version: "1.0.0",
    checks: &[
        eks_endpoints_not_publicly_accessible::CHECK,
        eks_control_plane_logging_all_types_enabled::CHECK,
        eks_cluster_kms_cmk_encryption_in_secrets_enabled::CHECK,
        eks_cluster_uses_a_supported_version::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
