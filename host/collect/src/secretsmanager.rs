//! Secrets Manager of one region: secrets in AWS Config's PascalCase shape (`RotationEnabled`,
//! `RotationRules`, `KMSKeyId`), with the dates `ListSecrets` gives (`CreatedDate`,
//! `LastRotatedDate`, `LastAccessedDate`), which the rotation and unused-secret checks read.
//! Never a secret's value: `ListSecrets` does not return one, and nothing here asks for it.

use crate::sink::{ItemExt, Sink, item, time};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "secretsmanager";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::SecretsManager::Secret") {
        return out;
    }
    let sm = client!(aws_sdk_secretsmanager, s);
    let region = s.region;
    let r = sm.list_secrets().into_paginator().send().collect::<Result<Vec<_>, _>>().await;
    let secrets = out.call(SERVICE, region, "ListSecrets", r).unwrap_or_default();
    for secret in secrets.iter().flat_map(|page| page.secret_list()) {
        let Some(arn) = secret.arn() else { continue };
        let config = json!({
            "ARN": arn,
            "Name": secret.name(),
            "RotationEnabled": secret.rotation_enabled().unwrap_or(false),
            "RotationRules": secret.rotation_rules().map(|r| json!({ "AutomaticallyAfterDays": r.automatically_after_days() })),
            "RotationLambdaARN": secret.rotation_lambda_arn(),
            "KMSKeyId": secret.kms_key_id(),
            "CreatedDate": time(secret.created_date()),
            "LastRotatedDate": time(secret.last_rotated_date()),
            "LastAccessedDate": time(secret.last_accessed_date()),
        });
        out.push(
            item("AWS::SecretsManager::Secret", arn, s.account, region, config)
                .named(secret.name())
                .arn(Some(arn.to_string()))
                .tags(secret.tags().iter().filter_map(|t| Some((t.key()?, t.value()?)))),
        );
    }
    out
}
