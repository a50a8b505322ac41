//! ECR repositories are encrypted with a customer managed KMS key.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Item, Severity, reference};

/// The AWS managed key ECR uses when a repository asks for KMS without naming a key.
const AWS_MANAGED_KEY: &str = "alias/aws/ecr";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ecr_repositories_encrypted_with_kms",
        title: "ECR repositories are encrypted with a customer managed KMS key",
        severity: Severity::Medium,
        resource_types: &[crate::REPOSITORY],
        rationale: "By default ECR encrypts images with AES-256 keys that AWS owns, or with the AWS managed key aws/ecr, whose use no key policy of the account restricts or audits separately. A customer managed key adds a key policy of its own, CloudTrail records of every use, and the ability to revoke access to the images by disabling the key. As in AWS Config's rule, AES256 and the AWS managed key fail.",
        remediation: "Encryption is fixed when a repository is created: aws ecr create-repository --repository-name NAME-kms --encryption-configuration encryptionType=KMS,kmsKey=KEY_ARN, copy the images to it (docker pull, tag and push, or crane copy), point deployments at it and delete the old repository; a repository creation template with KMS covers new repositories.",
        references: &[reference("aws-config-rule", "ECR_REPOSITORY_CMK_ENCRYPTION_ENABLED")],
    },
    run,
};

/// Whether `key` (an ARN, alias or key id) is one of the account's AWS managed keys, as far as the inventory knows.
fn aws_managed(key: &str, keys: &[Item]) -> bool {
    key.ends_with(AWS_MANAGED_KEY)
        || keys.iter().any(|k| {
            k.config_str("/keyManager") == Some("AWS")
                && (k.arn.as_deref() == Some(key)
                    || k.config_str("/arn") == Some(key)
                    || k.resource_id == key
                    || key.ends_with(&format!(":key/{}", k.resource_id)))
        })
}

fn run(inv: &Inventory, out: &mut Findings) {
    let keys = inv.items("AWS::KMS::Key");
    for repo in inv.items(crate::REPOSITORY).iter() {
        let name = repo.name();
        // ECR's default when nothing is recorded is AES256.
        let kind = repo.config_str("/EncryptionConfiguration/EncryptionType").unwrap_or("AES256");
        if !kind.eq_ignore_ascii_case("KMS") {
            out.fail(repo, format!("Repository {name} is encrypted with {kind}, not a customer managed KMS key."));
            continue;
        }
        match repo.config_str("/EncryptionConfiguration/KmsKey").map(str::trim).filter(|k| !k.is_empty()) {
            Some(key) if !aws_managed(key, &keys) => out.pass(repo, format!("Repository {name} is encrypted with KMS key {key}.")),
            Some(key) => out.fail(repo, format!("Repository {name} is encrypted with the AWS managed key {key}.")),
            None => out.fail(repo, format!("Repository {name} is encrypted with the AWS managed key {AWS_MANAGED_KEY}.")),
        }
    }
}
