//! Redshift clusters route COPY and UNLOAD traffic through the VPC.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "redshift_cluster_enhanced_vpc_routing",
        title: "Redshift clusters have Enhanced VPC Routing enabled",
        severity: Severity::Medium,
        resource_types: &[crate::CLUSTER],
        rationale: "With Enhanced VPC Routing, COPY and UNLOAD traffic between the cluster and S3 or other data stores goes through the VPC, where security groups, network ACLs, VPC endpoint policies and flow logs apply, instead of over the internet.",
        remediation: "Make sure the VPC reaches S3 (a gateway endpoint or a NAT gateway), then aws redshift modify-cluster --cluster-identifier CLUSTER --enhanced-vpc-routing.",
        references: &[
            reference("aws-config-rule", "REDSHIFT_ENHANCED_VPC_ROUTING_ENABLED"),
            reference("prowler", "redshift_cluster_enhanced_vpc_routing"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for cluster in inv.items(crate::CLUSTER).iter() {
        let name = cluster.name();
        // Off is the default when the flag is not recorded.
        out.verdict(
            cluster,
            cluster.config_bool("/enhancedVpcRouting") == Some(true),
            format!("Cluster {name} has Enhanced VPC Routing enabled."),
            format!("Cluster {name} does not have Enhanced VPC Routing enabled."),
        );
    }
}
