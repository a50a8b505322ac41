//! Redshift clusters are encrypted at rest.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "redshift_cluster_encrypted_at_rest",
        title: "Redshift clusters are encrypted at rest",
        severity: Severity::Critical,
        resource_types: &[crate::CLUSTER],
        rationale: "Encryption at rest protects the cluster's data blocks, system metadata and snapshots on the underlying storage, and with a KMS key every use of the key is logged in CloudTrail and access can be withdrawn through its key policy.",
        remediation: "aws redshift modify-cluster --cluster-identifier CLUSTER --encrypted --kms-key-id KEY_ARN (the cluster stays available, read-only while Redshift re-encrypts it; plan a window for large clusters).",
        references: &[
            reference("aws-config-rule", "REDSHIFT_CLUSTER_KMS_ENABLED"),
            reference("prowler", "redshift_cluster_encrypted_at_rest"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for cluster in inv.items(crate::CLUSTER).iter() {
        let name = cluster.name();
        if cluster.config_bool("/encrypted") != Some(true) {
            out.fail(cluster, format!("Cluster {name} is not encrypted at rest."));
            continue;
        }
        match cluster.config_str("/kmsKeyId").map(str::trim).filter(|k| !k.is_empty()) {
            Some(key) => out.pass(cluster, format!("Cluster {name} is encrypted at rest with KMS key {key}.")),
            None => out.pass(cluster, format!("Cluster {name} is encrypted at rest.")),
        }
    }
}
