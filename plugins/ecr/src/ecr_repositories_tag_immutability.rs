//! ECR repositories have immutable image tags.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ecr_repositories_tag_immutability",
        title: "ECR repositories have tag immutability enabled",
        severity: Severity::Medium,
        resource_types: &[crate::REPOSITORY],
        rationale: "With mutable tags anyone who can push can point an existing tag such as a release version at a different image, so deployments by tag may silently run code that was never reviewed or scanned.",
        remediation: "aws ecr put-image-tag-mutability --repository-name REPOSITORY --image-tag-mutability IMMUTABLE",
        references: &[
            reference("aws-config-rule", "ECR_PRIVATE_TAG_IMMUTABILITY_ENABLED"),
            reference("prowler", "ecr_repositories_tag_immutability"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for repo in inv.items(crate::REPOSITORY).iter() {
        let name = repo.name();
        // ECR's default when the setting is not recorded is MUTABLE.
        let mutability = repo.config_str("/ImageTagMutability").unwrap_or("MUTABLE");
        out.verdict(
            repo,
            mutability.eq_ignore_ascii_case("IMMUTABLE"),
            format!("Repository {name} has immutable image tags."),
            format!("Repository {name} has image tag mutability {mutability}."),
        );
    }
}
