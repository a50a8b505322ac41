//! OpenSearch domains have a VPC endpoint rather than a public one.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "opensearch_service_domains_in_vpc",
        title: "OpenSearch domains are reachable only from inside a VPC",
        severity: Severity::High,
        resource_types: &[crate::DOMAIN],
        rationale: "A domain with a public endpoint can be reached from the whole internet and is protected only by its access policy; a VPC endpoint is reachable only from the VPC's network, behind security groups, so one permissive policy statement does not expose the data.",
        remediation: "A domain cannot be moved from a public endpoint into a VPC: create a domain with aws opensearch create-domain --domain-name NEW_DOMAIN --vpc-options SubnetIds=SUBNET_A,SUBNET_B,SecurityGroupIds=SG_ID (and the same engine version), restore a manual snapshot of the old domain into it, switch clients over and delete the old domain.",
        references: &[reference("aws-config-rule", "OPENSEARCH_IN_VPC_ONLY")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for domain in inv.items(crate::DOMAIN).iter() {
        let name = domain.name();
        // A public domain has no VPCOptions at all.
        let subnets = domain.config("/VPCOptions/SubnetIds").and_then(Value::as_array).map_or(0, Vec::len);
        out.verdict(
            domain,
            subnets > 0,
            format!("Domain {name} has a VPC endpoint ({subnets} subnet(s))."),
            format!("Domain {name} has a public endpoint: it is not placed in a VPC."),
        );
    }
}
