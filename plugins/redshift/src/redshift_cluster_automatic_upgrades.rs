//! Redshift clusters take engine version upgrades automatically.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "redshift_cluster_automatic_upgrades",
        title: "Redshift clusters allow automatic version upgrades",
        severity: Severity::Medium,
        resource_types: &[crate::CLUSTER],
        rationale: "With version upgrades allowed, Redshift applies new engine versions, security fixes among them, during the cluster's maintenance window; without them the cluster stays on a version with known flaws.",
        remediation: "aws redshift modify-cluster --cluster-identifier CLUSTER --allow-version-upgrade",
        references: &[
            reference("aws-config-rule", "REDSHIFT_CLUSTER_MAINTENANCESETTINGS_CHECK"),
            reference("prowler", "redshift_cluster_automatic_upgrades"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for cluster in inv.items(crate::CLUSTER).iter() {
        let name = cluster.name();
        // Allowed is the default when the flag is not recorded.
        out.verdict(
            cluster,
            cluster.config_bool("/allowVersionUpgrade") != Some(false),
            format!("Cluster {name} allows automatic version upgrades."),
            format!("Cluster {name} does not allow automatic version upgrades."),
        );
    }
}
