//! OpenSearch domains have fine-grained access control enabled.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "opensearch_service_domains_fine_grained_access_control_enabled",
        title: "OpenSearch domains have fine-grained access control enabled",
        severity: Severity::High,
        resource_types: &[crate::DOMAIN],
        rationale: "Without fine-grained access control, anyone the domain's access policy lets in can read and write every index; with it, roles limit each user to the indexes, documents and fields they need, and audit logs become available.",
        remediation: "Fine-grained access control needs HTTPS enforced, node-to-node encryption and encryption at rest. Then aws opensearch update-domain-config --domain-name DOMAIN --advanced-security-options \"Enabled=true,InternalUserDatabaseEnabled=false,MasterUserOptions={MasterUserARN=ROLE_ARN}\" and map users to roles in OpenSearch Dashboards (Security > Roles).",
        references: &[
            reference("aws-config-rule", "OPENSEARCH_ACCESS_CONTROL_ENABLED"),
            reference("prowler", "opensearch_service_domains_access_control_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for domain in inv.items(crate::DOMAIN).iter() {
        let name = domain.name();
        out.verdict(
            domain,
            domain.config_bool("/AdvancedSecurityOptions/Enabled") == Some(true),
            format!("Domain {name} has fine-grained access control enabled."),
            format!("Domain {name} does not have fine-grained access control enabled."),
        );
    }
}
