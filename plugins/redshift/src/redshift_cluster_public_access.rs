//! Redshift clusters are not publicly accessible.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "redshift_cluster_public_access",
        title: "Redshift clusters are not publicly accessible",
        severity: Severity::Critical,
        resource_types: &[crate::CLUSTER],
        rationale: "A publicly accessible cluster gets a public IP address and a DNS name that resolves to it, so anyone its security groups let through can reach the database and try its credentials.",
        remediation: "aws redshift modify-cluster --cluster-identifier CLUSTER --no-publicly-accessible (clients outside the VPC then connect through a VPN, Direct Connect or a Redshift-managed VPC endpoint).",
        references: &[
            reference("aws-config-rule", "REDSHIFT_CLUSTER_PUBLIC_ACCESS_CHECK"),
            reference("prowler", "redshift_cluster_public_access"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for cluster in inv.items(crate::CLUSTER).iter() {
        let name = cluster.name();
        // Not publicly accessible is the default when the flag is not recorded.
        out.verdict(
            cluster,
            cluster.config_bool("/publiclyAccessible") != Some(true),
            format!("Cluster {name} is not publicly accessible."),
            format!("Cluster {name} is publicly accessible."),
        );
    }
}
