//! OpenSearch domains accept only HTTPS, with TLS 1.2 or later.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// Prefixes of the TLS security policies that refuse TLS 1.0 and 1.1. The OpenSearch API
/// reference (DomainEndpointOptions) lists three policies as of 2026:
/// `Policy-Min-TLS-1-0-2019-07` (TLS 1.0 to 1.2, which fails), `Policy-Min-TLS-1-2-2019-07`
/// and `Policy-Min-TLS-1-2-PFS-2023-10`; a later policy is expected to keep naming its
/// minimum version this way.
const TLS_1_2_OR_LATER: &[&str] = &["Policy-Min-TLS-1-2", "Policy-Min-TLS-1-3"];

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "opensearch_service_domains_https_communications_enforced",
        title: "OpenSearch domains require HTTPS with TLS 1.2 or later",
        severity: Severity::High,
        resource_types: &[crate::DOMAIN],
        rationale: "Without HTTPS enforced, queries, results and credentials can cross the network in clear text; a TLS security policy that still accepts TLS 1.0 or 1.1 lets a client or an attacker negotiate a protocol with known weaknesses.",
        remediation: "aws opensearch update-domain-config --domain-name DOMAIN --domain-endpoint-options EnforceHTTPS=true,TLSSecurityPolicy=Policy-Min-TLS-1-2-PFS-2023-10",
        references: &[
            reference("aws-config-rule", "OPENSEARCH_HTTPS_REQUIRED"),
            reference("prowler", "opensearch_service_domains_https_communications_enforced"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for domain in inv.items(crate::DOMAIN).iter() {
        let name = domain.name();
        if domain.config_bool("/DomainEndpointOptions/EnforceHTTPS") != Some(true) {
            out.fail(domain, format!("Domain {name} accepts plain HTTP: EnforceHTTPS is off."));
            continue;
        }
        match domain.config_str("/DomainEndpointOptions/TLSSecurityPolicy").map(str::trim).filter(|p| !p.is_empty()) {
            Some(policy) if TLS_1_2_OR_LATER.iter().any(|&prefix| policy.starts_with(prefix)) => {
                out.pass(domain, format!("Domain {name} requires HTTPS with TLS security policy {policy}."))
            }
            Some(policy) => out
                .fail(domain, format!("Domain {name} requires HTTPS, but its TLS security policy {policy} still accepts TLS 1.0 and 1.1.")),
            None => out.fail(
                domain,
                format!("Domain {name} requires HTTPS, but no TLS security policy is recorded to show TLS 1.2 as the minimum."),
            ),
        }
    }
}
