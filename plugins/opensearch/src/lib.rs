//! Built-in control plugin for Amazon OpenSearch Service: encryption at rest and between
//! nodes, HTTPS with TLS 1.2 or later, VPC endpoints, audit logs and fine-grained access
//! control.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod opensearch_service_domains_audit_logging_enabled;
mod opensearch_service_domains_encryption_at_rest_enabled;
mod opensearch_service_domains_fine_grained_access_control_enabled;
mod opensearch_service_domains_https_communications_enforced;
mod opensearch_service_domains_in_vpc;
mod opensearch_service_domains_node_to_node_encryption_enabled;

/// AWS Config records OpenSearch domains in their CloudFormation shape (PascalCase):
/// `EncryptionAtRestOptions`, `NodeToNodeEncryptionOptions`, `DomainEndpointOptions`,
/// `VPCOptions` (absent for a public endpoint), `LogPublishingOptions` (`{}` when nothing
/// is published) and `AdvancedSecurityOptions`.
const DOMAIN: &str = "AWS::OpenSearch::Domain";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "opensearch",
    version: "1.0.0",
    checks: &[
        opensearch_service_domains_encryption_at_rest_enabled::CHECK,
        opensearch_service_domains_node_to_node_encryption_enabled::CHECK,
        opensearch_service_domains_https_communications_enforced::CHECK,
        opensearch_service_domains_in_vpc::CHECK,
        opensearch_service_domains_audit_logging_enabled::CHECK,
        opensearch_service_domains_fine_grained_access_control_enabled::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
