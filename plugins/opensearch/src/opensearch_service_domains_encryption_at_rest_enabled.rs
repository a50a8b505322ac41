//! OpenSearch domains encrypt their data at rest.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "opensearch_service_domains_encryption_at_rest_enabled",
        title: "OpenSearch domains are encrypted at rest",
        severity: Severity::Critical,
        resource_types: &[crate::DOMAIN],
        rationale: "Encryption at rest protects a domain's indexes, logs, swap files and automated snapshots with a KMS key; without it, anyone who obtains the underlying storage or a snapshot reads the documents.",
        remediation: "aws opensearch update-domain-config --domain-name DOMAIN --encryption-at-rest-options Enabled=true,KmsKeyId=KEY_ID (domains on Elasticsearch before 6.7 need a new encrypted domain and a snapshot restore). Once enabled it cannot be turned off.",
        references: &[
            reference("aws-config-rule", "OPENSEARCH_ENCRYPTED_AT_REST"),
            reference("prowler", "opensearch_service_domains_encryption_at_rest_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for domain in inv.items(crate::DOMAIN).iter() {
        let name = domain.name();
        if domain.config_bool("/EncryptionAtRestOptions/Enabled") != Some(true) {
            out.fail(domain, format!("Domain {name} is not encrypted at rest."));
            continue;
        }
        match domain.config_str("/EncryptionAtRestOptions/KmsKeyId").map(str::trim).filter(|k| !k.is_empty()) {
            Some(key) => out.pass(domain, format!("Domain {name} is encrypted at rest with KMS key {key}.")),
            None => out.pass(domain, format!("Domain {name} is encrypted at rest.")),
        }
    }
}
