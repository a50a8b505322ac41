//! S3: every bucket as an `AWS::S3::Bucket` configuration item, with the supplementary
//! configuration AWS Config records (versioning, public access block, encryption,
//! policy, logging, ACL), and the account's public access block (S3 Control). A bucket
//! whose settings cannot all be read is left out and reported, never emitted half-read
//! (a missing block would read as "not blocked").

use crate::sink::{Sink, describe, is_code, item};
use crate::{CollectError, Scope, client};
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use securebase_inventory::ConfigItem;
use serde_json::{Value, json};

pub(crate) const SERVICE: &str = "s3";

fn error(region: &str, what: String) -> CollectError {
    CollectError { service: SERVICE.into(), region: region.into(), message: what }
}

/// `Ok(None)` for the error codes that mean "not configured", the message otherwise.
fn optional<T, E>(
    r: Result<T, aws_sdk_s3::error::SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>>,
    absent: &[&str],
) -> Result<Option<T>, String>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if is_code(&e, absent) => Ok(None),
        Err(e) => Err(describe(&e)),
    }
}

/// AWS Config spells ACL permissions in CamelCase.
fn permission(p: &str) -> String {
    p.split('_').map(|w| w[..1].to_string() + &w[1..].to_lowercase()).collect()
}

/// Collects every bucket the credentials can list (`global` scope; buckets of regions
/// whose buckets came from AWS Config are skipped).
pub(crate) async fn buckets(global: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !global.wants("AWS::S3::Bucket") {
        return out;
    }
    let path_style = global.options.endpoint_url.is_some();
    let mut b = aws_sdk_s3::config::Builder::from(global.config).force_path_style(path_style);
    for i in crate::calls::interceptors(global.options) {
        b = b.interceptor(i);
    }
    let client = Client::from_conf(b.build());
    let r = client.list_buckets().send().await;
    let Some(list) = out.call(SERVICE, "global", "ListBuckets", r) else { return out };
    for bucket in list.buckets() {
        let Some(name) = bucket.name() else { continue };
        match read_bucket(&client, global, name, bucket.creation_date().map(|d| d.secs())).await {
            Ok(Some(item)) => out.push(item),
            Ok(None) => {}
            Err(e) => out.errors.push(e),
        }
    }
    out
}

/// The account's public access block (S3 Control, `home` scope):
/// `AWS::S3::AccountPublicAccessBlock`, always emitted (all flags off when there is none),
/// since its absence would make the check silently not applicable.
pub(crate) async fn account_public_access_block(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::S3::AccountPublicAccessBlock") {
        return out;
    }
    let control = client!(aws_sdk_s3control, s);
    let block = match control.get_public_access_block().account_id(s.account).send().await {
        Ok(r) => r.public_access_block_configuration().cloned(),
        Err(e) if is_code(&e, &["NoSuchPublicAccessBlockConfiguration"]) => None,
        Err(e) => {
            out.call::<(), _>(SERVICE, s.region, "GetPublicAccessBlock (account)", Err(e));
            return out;
        }
    };
    let flag =
        |f: fn(&aws_sdk_s3control::types::PublicAccessBlockConfiguration) -> Option<bool>| block.as_ref().and_then(f).unwrap_or(false);
    let config = json!({
        "blockPublicAcls": flag(|b| b.block_public_acls()),
        "ignorePublicAcls": flag(|b| b.ignore_public_acls()),
        "blockPublicPolicy": flag(|b| b.block_public_policy()),
        "restrictPublicBuckets": flag(|b| b.restrict_public_buckets()),
    });
    out.push(item("AWS::S3::AccountPublicAccessBlock", s.account, s.account, s.region, config));
    out
}

async fn read_bucket(client: &Client, s: &Scope<'_>, name: &str, created: Option<i64>) -> Result<Option<ConfigItem>, CollectError> {
    let account = s.account;
    let fail = |call: &str, m: String| error("global", format!("bucket {name}: {call}: {m}"));
    let location = client.get_bucket_location().bucket(name).send().await.map_err(|e| fail("GetBucketLocation", describe(&e)))?;
    let region = match location.location_constraint().map(|c| c.as_str()) {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(r) => r.to_string(),
    };
    if !s.wants(&format!("AWS::S3::Bucket@{region}")) {
        return Ok(None);
    }
    let versioning = client.get_bucket_versioning().bucket(name).send().await.map_err(|e| fail("GetBucketVersioning", describe(&e)))?;
    let pab = optional(client.get_public_access_block().bucket(name).send().await, &["NoSuchPublicAccessBlockConfiguration"])
        .map_err(|m| fail("GetPublicAccessBlock", m))?;
    let encryption =
        optional(client.get_bucket_encryption().bucket(name).send().await, &["ServerSideEncryptionConfigurationNotFoundError"])
            .map_err(|m| fail("GetBucketEncryption", m))?;
    let policy =
        optional(client.get_bucket_policy().bucket(name).send().await, &["NoSuchBucketPolicy"]).map_err(|m| fail("GetBucketPolicy", m))?;
    let logging = client.get_bucket_logging().bucket(name).send().await.map_err(|e| fail("GetBucketLogging", describe(&e)))?;
    let acl = client.get_bucket_acl().bucket(name).send().await.map_err(|e| fail("GetBucketAcl", describe(&e)))?;
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
    Ok(Some(ConfigItem {
        resource_type: "AWS::S3::Bucket".into(),
        resource_id: name.into(),
        resource_name: Some(name.into()),
        account_id: account.into(),
        aws_region: region,
        arn: Some(format!("arn:aws:s3:::{name}")),
        configuration: configuration.to_string(),
        supplementary_configuration: Value::Object(supplementary).to_string(),
        tags,
    }))
}
