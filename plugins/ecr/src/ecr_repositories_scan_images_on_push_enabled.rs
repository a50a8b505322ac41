//! ECR repositories scan images on push.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ecr_repositories_scan_images_on_push_enabled",
        title: "ECR repositories scan images on push",
        severity: Severity::Medium,
        resource_types: &[crate::REPOSITORY],
        rationale: "Scanning every image as it is pushed reports known vulnerabilities in its packages before the image is deployed.",
        remediation: "aws ecr put-image-scanning-configuration --repository-name REPOSITORY --image-scanning-configuration scanOnPush=true",
        references: &[
            reference("aws-config-rule", "ECR_PRIVATE_IMAGE_SCANNING_ENABLED"),
            reference("prowler", "ecr_repositories_scan_images_on_push_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for repo in inv.items(crate::REPOSITORY).iter() {
        let name = repo.name();
        out.verdict(
            repo,
            repo.config_bool("/ImageScanningConfiguration/ScanOnPush") == Some(true),
            format!("Repository {name} scans images on push."),
            format!("Repository {name} does not scan images on push."),
        );
    }
}
