//! OpenSearch domains encrypt the traffic between their nodes.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "opensearch_service_domains_node_to_node_encryption_enabled",
        title: "OpenSearch domains have node-to-node encryption enabled",
        severity: Severity::High,
        resource_types: &[crate::DOMAIN],
        rationale: "Node-to-node encryption wraps the traffic inside the cluster (shard replication, queries between nodes) in TLS, so someone on the domain's network can neither read nor alter the documents in transit.",
        remediation: "aws opensearch update-domain-config --domain-name DOMAIN --node-to-node-encryption-options Enabled=true (domains on Elasticsearch before 6.7 need a new domain and a snapshot restore). Once enabled it cannot be turned off.",
        references: &[
            reference("aws-config-rule", "OPENSEARCH_NODE_TO_NODE_ENCRYPTION_CHECK"),
            reference("prowler", "opensearch_service_domains_node_to_node_encryption_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for domain in inv.items(crate::DOMAIN).iter() {
        let name = domain.name();
        out.verdict(
            domain,
            domain.config_bool("/NodeToNodeEncryptionOptions/Enabled") == Some(true),
            format!("Domain {name} encrypts the traffic between its nodes."),
            format!("Domain {name} does not have node-to-node encryption enabled."),
        );
    }
}
