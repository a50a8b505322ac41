//! No repository policy lets everyone use the repository.

use securebase_plugin_sdk::aws::public_policy_verdict;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ecr_repositories_not_publicly_accessible",
        title: "ECR repositories are not publicly accessible through their repository policy",
        severity: Severity::Critical,
        resource_types: &[crate::REPOSITORY],
        rationale: "A repository policy that allows \"*\" without conditions lets anyone pull the images, exposing code and any secrets baked into them, or even push poisoned images.",
        remediation: "Remove Allow statements for Principal \"*\" (aws ecr set-repository-policy with specific account or role ARNs, or aws ecr delete-repository-policy --repository-name REPOSITORY), or scope them with conditions such as aws:PrincipalOrgID.",
        references: &[reference("prowler", "ecr_repositories_not_publicly_accessible")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for repo in inv.items(crate::REPOSITORY).iter() {
        // `{}` (no policy) parses to a policy without statements, which exposes nothing.
        public_policy_verdict(out, repo, "Repository", "policy", repo.config("/RepositoryPolicyText"));
    }
}
