//! S3: every bucket as an `AWS::S3::Bucket` configuration item, with the supplementary
//! configuration AWS Config records (versioning, public access block, encryption,
//! policy, logging, ACL). A bucket whose settings cannot all be read is left out and
//! reported, never emitted half-read (a missing block would read as "not blocked").

use crate::CollectError;
use aws_config::SdkConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use securebase_inventory::ConfigItem;
use serde_json::{Value, json};

fn error(region: &str, what: String) -> CollectError {
    CollectError { service: "s3".into(), region: region.into(), message: what }
}

/// `Ok(None)` for the error codes that mean "not configured", the message otherwise.
fn optional<T, E>(r: Result<T, aws_sdk_s3::error::SdkError<E>>, absent: &[&str]) -> Result<Option<T>, String>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.code().is_some_and(|c| absent.contains(&c)) => Ok(None),
        Err(e) => Err(DisplayErrorContext(&e).to_string()),
    }
}

/// AWS Config spells ACL permissions in CamelCase.
fn permission(p: &str) -> String {
    p.split('_').map(|w| w[..1].to_string() + &w[1..].to_lowercase()).collect()
}

/// Collects every bucket the credentials can list.
pub(crate) async fn collect(
    config: &SdkConfig,
    account: &str,
    path_style: bool,
) -> Result<(Vec<ConfigItem>, Vec<CollectError>), CollectError> {
    let client = Client::from_conf(aws_sdk_s3::config::Builder::from(config).force_path_style(path_style).build());
    let list = client.list_buckets().send().await.map_err(|e| error("global", format!("ListBuckets: {}", DisplayErrorContext(&e))))?;
    let (mut items, mut errors) = (vec![], vec![]);
    for bucket in list.buckets() {
        let Some(name) = bucket.name() else { continue };
        match describe(&client, account, name, bucket.creation_date().map(|d| d.secs())).await {
            Ok(item) => items.push(item),
            Err(e) => errors.push(e),
        }
    }
    Ok((items, errors))
}

async fn describe(client: &Client, account: &str, name: &str, created: Option<i64>) -> Result<ConfigItem, CollectError> {
    let fail = |call: &str, m: String| error("global", format!("bucket {name}: {call}: {m}"));
    let location = client
        .get_bucket_location()
        .bucket(name)
        .send()
        .await
        .map_err(|e| fail("GetBucketLocation", DisplayErrorContext(&e).to_string()))?;
    let region = match location.location_constraint().map(|c| c.as_str()) {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(r) => r.to_string(),
    };
    let versioning = client
        .get_bucket_versioning()
        .bucket(name)
        .send()
        .await
        .map_err(|e| fail("GetBucketVersioning", DisplayErrorContext(&e).to_string()))?;
    let pab = optional(client.get_public_access_block().bucket(name).send().await, &["NoSuchPublicAccessBlockConfiguration"])
        .map_err(|m| fail("GetPublicAccessBlock", m))?;
    let encryption =
        optional(client.get_bucket_encryption().bucket(name).send().await, &["ServerSideEncryptionConfigurationNotFoundError"])
            .map_err(|m| fail("GetBucketEncryption", m))?;
    let policy =
        optional(client.get_bucket_policy().bucket(name).send().await, &["NoSuchBucketPolicy"]).map_err(|m| fail("GetBucketPolicy", m))?;
    let logging =
        client.get_bucket_logging().bucket(name).send().await.map_err(|e| fail("GetBucketLogging", DisplayErrorContext(&e).to_string()))?;
    let acl = client.get_bucket_acl().bucket(name).send().await.map_err(|e| fail("GetBucketAcl", DisplayErrorContext(&e).to_string()))?;
    let tagging =
        optional(client.get_bucket_tagging().bucket(name).send().await, &["NoSuchTagSet"]).map_err(|m| fail("GetBucketTagging", m))?;

    let owner = acl.owner().and_then(|o| o.id()).unwrap_or_default().to_string();
    let mut supplementary = serde_json::Map::new();
    supplementary.insert(
        "BucketVersioningConfiguration".into(),
        json!({
            "status": versioning.status().map(|s| s.as_str()).unwrap_or("Off"),
            "isMfaDeleteEnabled": versioning.mfa_delete().map(|m| m.as_str() == "Enabled"),
        }),
    );
    let block = pab.as_ref().and_then(|p| p.public_access_block_configuration());
    supplementary.insert(
        "PublicAccessBlockConfiguration".into(),
        json!({
            "blockPublicAcls": block.and_then(|b| b.block_public_acls()).unwrap_or(false),
            "ignorePublicAcls": block.and_then(|b| b.ignore_public_acls()).unwrap_or(false),
            "blockPublicPolicy": block.and_then(|b| b.block_public_policy()).unwrap_or(false),
            "restrictPublicBuckets": block.and_then(|b| b.restrict_public_buckets()).unwrap_or(false),
        }),
    );
    if let Some(rules) = encryption.as_ref().and_then(|e| e.server_side_encryption_configuration()).map(|c| c.rules()) {
        let rules: Vec<Value> = rules
            .iter()
            .map(|r| {
                let d = r.apply_server_side_encryption_by_default();
                let mut by_default = json!({ "sseAlgorithm": d.map(|d| d.sse_algorithm().as_str()) });
                if let Some(key) = d.and_then(|d| d.kms_master_key_id()) {
                    by_default["kmsMasterKeyID"] = json!(key);
                }
                json!({ "applyServerSideEncryptionByDefault": by_default, "bucketKeyEnabled": r.bucket_key_enabled().unwrap_or(false) })
            })
            .collect();
        supplementary.insert("ServerSideEncryptionConfiguration".into(), json!({ "rules": rules }));
    }
    if let Some(text) = policy.as_ref().and_then(|p| p.policy()) {
        supplementary.insert("BucketPolicy".into(), json!({ "policyText": text }));
    }
    let log = logging.logging_enabled();
    supplementary.insert(
        "BucketLoggingConfiguration".into(),
        json!({ "destinationBucketName": log.map(|l| l.target_bucket()), "logFilePrefix": log.map(|l| l.target_prefix()) }),
    );
    let grants: Vec<Value> = acl
        .grants()
        .iter()
        .map(|g| {
            let grantee = match g.grantee() {
                Some(x) if x.uri().is_some() => json!({ "uri": x.uri() }),
                Some(x) => json!({ "id": x.id() }),
                None => Value::Null,
            };
            json!({ "grantee": grantee, "permission": g.permission().map(|p| permission(p.as_str())) })
        })
        .collect();
    supplementary.insert("AccessControlList".into(), json!({ "grantList": grants, "owner": { "id": owner } }));

    let mut tags: Vec<(String, String)> =
        tagging.map(|t| t.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()).unwrap_or_default();
    tags.sort();
    let configuration = json!({
        "name": name,
        "owner": { "id": owner },
        "creationDate": created.map(securebase_inventory::time::format_rfc3339),
    });
    Ok(ConfigItem {
        resource_type: "AWS::S3::Bucket".into(),
        resource_id: name.into(),
        resource_name: Some(name.into()),
        account_id: account.into(),
        aws_region: region,
        arn: Some(format!("arn:aws:s3:::{name}")),
        configuration: configuration.to_string(),
        supplementary_configuration: Value::Object(supplementary).to_string(),
        tags,
    })
}
