//! EKS cluster API server endpoints are private, or public only to listed networks.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "eks_endpoints_not_publicly_accessible",
        title: "EKS cluster API server endpoints are not open to the whole internet",
        severity: Severity::High,
        resource_types: &[crate::CLUSTER],
        rationale: "A public endpoint open to 0.0.0.0/0 lets anyone on the internet reach the Kubernetes API server to probe it, brute-force credentials and exploit API server flaws; a private endpoint, or a public one limited to the networks administrators work from, keeps it out of reach.",
        remediation: "aws eks update-cluster-config --name CLUSTER --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false (or, where public access is needed, endpointPublicAccess=true,publicAccessCidrs=203.0.113.0/24 with your administrators' ranges).",
        references: &[
            reference("aws-config-rule", "EKS_ENDPOINT_NO_PUBLIC_ACCESS"),
            reference("prowler", "eks_cluster_not_publicly_accessible"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for cluster in inv.items(crate::CLUSTER).iter() {
        let name = cluster.name();
        // The endpoint is public by default, open to 0.0.0.0/0 unless CIDRs are given.
        if cluster.config_bool("/ResourcesVpcConfig/EndpointPublicAccess") == Some(false) {
            out.pass(cluster, format!("Cluster {name}'s API server endpoint is private."));
            continue;
        }
        let cidrs: Vec<&str> = cluster
            .config("/ResourcesVpcConfig/PublicAccessCidrs")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str())
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        if cidrs.is_empty() {
            out.fail(
                cluster,
                format!("Cluster {name}'s API server endpoint is public with no CIDR restriction, so it is open to 0.0.0.0/0."),
            );
        } else if let Some(open) = cidrs.iter().find(|c| c.ends_with("/0")) {
            out.fail(cluster, format!("Cluster {name}'s API server endpoint is public and open to {open}."));
        } else {
            out.pass(cluster, format!("Cluster {name}'s API server endpoint is public but limited to {}.", cidrs.join(", ")));
        }
    }
}
