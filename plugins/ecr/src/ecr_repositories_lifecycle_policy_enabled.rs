//! ECR repositories have a lifecycle policy.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ecr_repositories_lifecycle_policy_enabled",
        title: "ECR repositories have a lifecycle policy configured",
        severity: Severity::Low,
        resource_types: &[crate::REPOSITORY],
        rationale: "Without a lifecycle policy old and untagged images pile up: outdated, vulnerable images stay available to deploy, storage costs grow and the repository quota can block pushes.",
        remediation: "aws ecr put-lifecycle-policy --repository-name REPOSITORY --lifecycle-policy-text file://policy.json, e.g. a rule expiring untagged images after 14 days.",
        references: &[
            reference("aws-config-rule", "ECR_PRIVATE_LIFECYCLE_POLICY_CONFIGURED"),
            reference("prowler", "ecr_repositories_lifecycle_policy_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for repo in inv.items(crate::REPOSITORY).iter() {
        let name = repo.name();
        out.verdict(
            repo,
            repo.config_str("/LifecyclePolicy/LifecyclePolicyText").is_some_and(|text| !text.trim().is_empty()),
            format!("Repository {name} has a lifecycle policy."),
            format!("Repository {name} has no lifecycle policy."),
        );
    }
}
