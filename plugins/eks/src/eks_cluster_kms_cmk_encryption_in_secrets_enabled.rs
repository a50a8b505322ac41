//! EKS clusters encrypt Kubernetes secrets with a KMS key of the account.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "eks_cluster_kms_cmk_encryption_in_secrets_enabled",
        title: "EKS clusters encrypt Kubernetes secrets with a customer managed KMS key",
        severity: Severity::Medium,
        resource_types: &[crate::CLUSTER],
        rationale: "Envelope encryption of Kubernetes Secrets with a customer managed KMS key means that reading them from etcd or its backups also needs that key, whose policy the account controls and whose every use is logged in CloudTrail.",
        remediation: "aws eks associate-encryption-config --cluster-name CLUSTER --encryption-config '[{\"resources\":[\"secrets\"],\"provider\":{\"keyArn\":\"KEY_ARN\"}}]' (it cannot be turned off afterwards, and deleting the key makes the cluster unrecoverable).",
        references: &[
            reference("aws-config-rule", "EKS_SECRETS_ENCRYPTED"),
            reference("prowler", "eks_cluster_kms_cmk_encryption_in_secrets_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for cluster in inv.items(crate::CLUSTER).iter() {
        let name = cluster.name();
        // The encryption configuration that covers secrets, if any (absent or [] means none).
        let secrets = cluster.config("/EncryptionConfig").and_then(|v| v.as_array()).into_iter().flatten().find(|config| {
            config.get("Resources").and_then(|r| r.as_array()).is_some_and(|r| r.iter().any(|x| x.as_str() == Some("secrets")))
        });
        match secrets.map(|config| config.pointer("/Provider/KeyArn").and_then(|k| k.as_str())) {
            Some(Some(key)) => out.pass(cluster, format!("Cluster {name} encrypts Kubernetes secrets with KMS key {key}.")),
            Some(None) => out.pass(cluster, format!("Cluster {name} encrypts Kubernetes secrets with a KMS key.")),
            None => out.fail(cluster, format!("Cluster {name} does not encrypt Kubernetes secrets with a KMS key of its own.")),
        }
    }
}
