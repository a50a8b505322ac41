//! EKS clusters run a Kubernetes version that EKS still supports.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// The oldest Kubernetes minor version EKS supports, reflecting the end dates of EKS
/// extended support as of December 2026: 1.31's ended on 2026-11-26, 1.32's runs to
/// 2027-03-23 (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).
/// Review it with that calendar.
const OLDEST_SUPPORTED: &str = "1.32";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "eks_cluster_uses_a_supported_version",
        title: "EKS clusters run a Kubernetes version that EKS still supports",
        severity: Severity::High,
        resource_types: &[crate::CLUSTER],
        rationale: "A Kubernetes version past the end of EKS extended support gets no more security fixes for the control plane, and EKS upgrades such clusters itself, at a time of its choosing, which can break workloads that still use removed APIs.",
        remediation: "aws eks update-cluster-version --name CLUSTER --kubernetes-version VERSION, one minor version at a time up to a supported one, updating node groups and add-ons after each step (check for removed APIs first).",
        references: &[
            reference("aws-config-rule", "EKS_CLUSTER_SUPPORTED_VERSION"),
            reference("prowler", "eks_cluster_uses_a_supported_version"),
        ],
    },
    run,
};

/// `major.minor` as numbers, so that 1.9 sorts before 1.10 (a patch part is ignored).
fn version(text: &str) -> Option<(u64, u64)> {
    let mut parts = text.trim().trim_start_matches('v').split('.');
    let major = parts.next()?.parse::<u64>().ok()?;
    let minor = parts.next()?.parse::<u64>().ok()?;
    Some((major, minor))
}

fn run(inv: &Inventory, out: &mut Findings) {
    let oldest = version(OLDEST_SUPPORTED).expect("OLDEST_SUPPORTED is major.minor");
    for cluster in inv.items(crate::CLUSTER).iter() {
        let name = cluster.name();
        let Some(raw) = cluster.config("/Version").filter(|v| !v.is_null()) else {
            out.error(cluster, format!("Cluster {name}: its Kubernetes version is not recorded."));
            continue;
        };
        let Some((text, current)) = raw.as_str().map(str::trim).and_then(|t| version(t).map(|v| (t, v))) else {
            out.error(cluster, format!("Cluster {name}: Kubernetes version {raw} is not of the form major.minor."));
            continue;
        };
        out.verdict(
            cluster,
            current >= oldest,
            format!("Cluster {name} runs Kubernetes {text}, which EKS supports (oldest supported: {OLDEST_SUPPORTED})."),
            format!("Cluster {name} runs Kubernetes {text}, older than {OLDEST_SUPPORTED}, the oldest version EKS supports."),
        );
    }
}
