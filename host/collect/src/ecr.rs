//! ECR of one region: private repositories in AWS Config's CloudFormation shape
//! (`ImageScanningConfiguration.ScanOnPush`, `ImageTagMutability`, `LifecyclePolicy`,
//! `RepositoryPolicyText`), with `{}` where a repository has no lifecycle or repository
//! policy, as Config records it.

use crate::sink::{ItemExt, Sink, is_code, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "ecr";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::ECR::Repository") {
        return out;
    }
    let ecr = client!(aws_sdk_ecr, s);
    let region = s.region;
    let r = ecr.describe_repositories().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for repo in out.call(SERVICE, region, "DescribeRepositories", r).unwrap_or_default() {
        let Some(name) = repo.repository_name() else { continue };
        let lifecycle = match ecr.get_lifecycle_policy().repository_name(name).send().await {
            Ok(p) => json!({ "LifecyclePolicyText": p.lifecycle_policy_text(), "RegistryId": p.registry_id() }),
            Err(e) if is_code(&e, &["LifecyclePolicyNotFoundException"]) => json!({}),
            Err(e) => {
                out.call::<(), _>(SERVICE, region, &format!("GetLifecyclePolicy {name}"), Err(e));
                continue;
            }
        };
        let policy = match ecr.get_repository_policy().repository_name(name).send().await {
            Ok(p) => json!(p.policy_text()),
            Err(e) if is_code(&e, &["RepositoryPolicyNotFoundException"]) => json!({}),
            Err(e) => {
                out.call::<(), _>(SERVICE, region, &format!("GetRepositoryPolicy {name}"), Err(e));
                continue;
            }
        };
        let config = json!({
            "RepositoryName": name,
            "Arn": repo.repository_arn(),
            "RepositoryUri": repo.repository_uri(),
            "ImageScanningConfiguration": { "ScanOnPush": repo.image_scanning_configuration().is_some_and(|c| c.scan_on_push()) },
            "ImageTagMutability": repo.image_tag_mutability().map(|m| m.as_str()),
            "EncryptionConfiguration": {
                "EncryptionType": repo.encryption_configuration().map(|e| e.encryption_type().as_str()),
                "KmsKey": repo.encryption_configuration().and_then(|e| e.kms_key()),
            },
            "LifecyclePolicy": lifecycle,
            "RepositoryPolicyText": policy,
        });
        out.push(
            item("AWS::ECR::Repository", name, s.account, region, config).named(Some(name)).arn(repo.repository_arn().map(str::to_string)),
        );
    }
    out
}
