//! EKS clusters send all five control plane log types to CloudWatch Logs.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// The control plane log types EKS can send to CloudWatch Logs.
const LOG_TYPES: [&str; 5] = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "eks_control_plane_logging_all_types_enabled",
        title: "EKS clusters have all control plane log types enabled",
        severity: Severity::Medium,
        resource_types: &[crate::CLUSTER],
        rationale: "The API server, audit and authenticator logs show who called the Kubernetes API, as which identity, and what they changed; the controller manager and scheduler logs explain what the cluster did in response. None is sent unless enabled.",
        remediation: "aws eks update-cluster-config --name CLUSTER --logging '{\"clusterLogging\":[{\"types\":[\"api\",\"audit\",\"authenticator\",\"controllerManager\",\"scheduler\"],\"enabled\":true}]}'",
        references: &[
            reference("aws-config-rule", "EKS_CLUSTER_LOGGING_ENABLED"),
            reference("prowler", "eks_control_plane_logging_all_types_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for cluster in inv.items(crate::CLUSTER).iter() {
        let name = cluster.name();
        let enabled: Vec<&str> = cluster
            .config("/Logging/ClusterLogging/EnabledTypes")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.get("Type").and_then(|t| t.as_str()).or_else(|| entry.as_str()))
            .collect();
        let missing: Vec<&str> = LOG_TYPES.into_iter().filter(|t| !enabled.iter().any(|e| e.eq_ignore_ascii_case(t))).collect();
        out.verdict(
            cluster,
            missing.is_empty(),
            format!("Cluster {name} sends all control plane log types ({}) to CloudWatch Logs.", LOG_TYPES.join(", ")),
            format!("Cluster {name} does not send these control plane log types: {}.", missing.join(", ")),
        );
    }
}
