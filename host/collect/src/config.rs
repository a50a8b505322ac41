//! AWS Config: the recorders of one region (our `SecureBase::Config::Recorder` type), and
//! AWS Config as a source of configuration items.
//!
//! As a source, Config gives the types it records in exactly the shape the checks read,
//! with fewer calls than the direct collectors. It is used only for what it really
//! records: per region, the types the recorder's recording group names while it is
//! recording (global IAM types only with `includeGlobalResourceTypes`); everything else,
//! and every region where Config is off, is collected directly. Types whose checks need
//! facts Config does not record (KMS rotation, RDS snapshot attributes) always are.

use crate::sink::{Sink, item};
use crate::{Account, CollectOptions, Scope, Source, client};
use aws_config::{Region, SdkConfig};
use aws_sdk_config::types::ResourceKey;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub(crate) const SERVICE: &str = "config";

/// The types Config can be the source for: Config records them in the shape the checks
/// read, with nothing added by our collectors. Not `AWS::S3::AccountPublicAccessBlock`:
/// Config holds none when the account has none, and "none" must still be a finding, so
/// the direct collector (which says "all off") always reads it. Nor, for now, the types of
/// DynamoDB, SQS, SNS, Secrets Manager, Lambda, ECR, ELB, ACM, Redshift, OpenSearch, EKS,
/// CloudFront and ECS: their Config shapes are known from recorded examples and the
/// collectors emit them, but some fields the checks read (a table's deletion protection, a
/// secret's last rotation and access, an ALB's newer attributes) are not confirmed to be
/// recorded, and Config keeps environment values in clear, so they are always read directly.
pub const CONFIG_TYPES: &[&str] = &[
    "AWS::AccessAnalyzer::Analyzer",
    "AWS::CloudTrail::Trail",
    "AWS::CloudWatch::Alarm",
    "AWS::EC2::FlowLog",
    "AWS::EC2::Instance",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::VPC",
    "AWS::EC2::Volume",
    "AWS::EFS::FileSystem",
    "AWS::GuardDuty::Detector",
    "AWS::IAM::Group",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::RDS::DBInstance",
    "AWS::S3::Bucket",
    "AWS::SecurityHub::Hub",
];

fn is_global(resource_type: &str) -> bool {
    resource_type.starts_with("AWS::IAM::")
}

/// The recorders of one region with their status.
pub(crate) async fn recorders(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("SecureBase::Config::Recorder") {
        return out;
    }
    let config = client!(aws_sdk_config, s);
    let region = s.region;
    let (r, st) = tokio::join!(config.describe_configuration_recorders().send(), config.describe_configuration_recorder_status().send());
    let (Some(r), Some(st)) = (
        out.call(SERVICE, region, "DescribeConfigurationRecorders", r),
        out.call(SERVICE, region, "DescribeConfigurationRecorderStatus", st),
    ) else {
        return out;
    };
    for rec in r.configuration_recorders() {
        let name = rec.name().unwrap_or("default");
        let status = st.configuration_recorders_status().iter().find(|s| s.name() == Some(name));
        let group = rec.recording_group();
        let config = json!({
            "name": name,
            "recording": status.is_some_and(|s| s.recording()),
            "allSupported": group.is_some_and(|g| g.all_supported()),
            "includeGlobalResourceTypes": group.is_some_and(|g| g.include_global_resource_types()),
            "resourceTypes": group.map(|g| g.resource_types().iter().map(|t| t.as_str()).collect::<Vec<_>>()),
            "lastStatus": status.and_then(|s| s.last_status()).map(|s| s.as_str()),
        });
        out.push(item("SecureBase::Config::Recorder", format!("{region}/{name}"), s.account, region, config));
    }
    out
}

/// What AWS Config gave for one account, and which (type, region) pairs it covers, so
/// the direct collectors skip exactly those.
#[derive(Default)]
pub(crate) struct FromConfig {
    pub items: Vec<securebase_inventory::ConfigItem>,
    pub errors: Vec<crate::CollectError>,
    covered: BTreeMap<String, Vec<String>>,
}

impl FromConfig {
    /// The types the direct collectors skip in `region` (`global` for IAM). For the global
    /// S3 bucket listing, the regions whose buckets Config gave, as `AWS::S3::Bucket@REGION`.
    pub fn skip(&self, region: &str) -> Vec<String> {
        let mut out: Vec<String> = self.covered.get(region).cloned().unwrap_or_default();
        if region == "global" {
            for (r, types) in &self.covered {
                if types.iter().any(|t| t == "AWS::S3::Bucket") {
                    out.push(format!("AWS::S3::Bucket@{r}"));
                }
            }
        }
        out
    }

    fn cover(&mut self, resource_type: &str, region: &str) {
        let key = if is_global(resource_type) { "global" } else { region };
        let list = self.covered.entry(key.to_string()).or_default();
        if !list.iter().any(|t| t == resource_type) {
            list.push(resource_type.to_string());
        }
    }
}

/// The types a region's recorder records while it is recording, of those Config can
/// be the source for.
async fn recorded(config: &aws_sdk_config::Client, region: &str, sink: &mut Sink) -> Vec<&'static str> {
    let (r, st) = tokio::join!(config.describe_configuration_recorders().send(), config.describe_configuration_recorder_status().send());
    let (Some(r), Some(st)) = (
        sink.call(SERVICE, region, "DescribeConfigurationRecorders", r),
        sink.call(SERVICE, region, "DescribeConfigurationRecorderStatus", st),
    ) else {
        return vec![];
    };
    let mut out = vec![];
    for rec in r.configuration_recorders() {
        let on = st.configuration_recorders_status().iter().any(|s| s.name() == rec.name() && s.recording());
        let Some(group) = rec.recording_group().filter(|_| on) else { continue };
        for t in CONFIG_TYPES {
            let named = group.resource_types().iter().any(|r| r.as_str() == *t);
            let all = group.all_supported() && (!is_global(t) || group.include_global_resource_types());
            if (all || named) && !out.contains(t) {
                out.push(*t);
            }
        }
    }
    out
}

/// Items from AWS Config for one account, per the chosen source; nothing for `Direct`.
pub(crate) async fn source(account: &Account, base: &SdkConfig, regions: &[(String, bool)], options: &CollectOptions) -> FromConfig {
    let mut from = FromConfig::default();
    match &options.source {
        Source::Direct => {}
        Source::Config => {
            for (region, _) in regions.iter().filter(|(_, on)| *on) {
                let config = base.to_builder().region(Region::new(region.clone())).build();
                let scope = Scope { account: &account.id, region, config: &config, options, skip: &[] };
                let client = client!(aws_sdk_config, &scope);
                let mut sink = Sink::default();
                for t in recorded(&client, region, &mut sink).await {
                    // Global types are recorded in one region; take them once.
                    if is_global(t) && from.covered.get("global").is_some_and(|g| g.iter().any(|x| x == t)) {
                        continue;
                    }
                    match discovered(&client, t, region, &mut sink).await {
                        Some(rows) => {
                            from.cover(t, region);
                            rows_to_items(&account.id, rows, &format!("AWS Config {region} {t}"), &mut from, region);
                        }
                        // Config could not be read for this type: the direct collectors take it.
                        None => continue,
                    }
                }
                from.errors.extend(sink.errors);
            }
        }
        Source::Aggregator { name, region } => {
            // The aggregator lives in the management or delegated administrator account:
            // it is queried with the caller's own credentials (as Organizations is), not
            // through the member account's read-only role.
            let caller = Account { role_arn: None, external_id: None, ..account.clone() };
            let config = crate::sdk_config(&caller, region, options).await;
            let scope = Scope { account: &account.id, region, config: &config, options, skip: &[] };
            let client = client!(aws_sdk_config, &scope);
            let mut sink = Sink::default();
            let wanted: Vec<&str> = regions.iter().filter(|(_, on)| *on).map(|(r, _)| r.as_str()).collect();
            if let Some(rows) = aggregated(&client, name, &account.id, &wanted, region, &mut sink).await {
                // The aggregator answers for every recorded type; which ones it holds per
                // region is what it returned. Types it holds nothing of are collected directly.
                let mut seen: Vec<(String, String)> = rows
                    .iter()
                    .filter_map(|r| Some((r.get("resourceType")?.as_str()?.to_string(), r.get("awsRegion")?.as_str()?.to_string())))
                    .collect();
                seen.sort();
                seen.dedup();
                for (t, r) in &seen {
                    let r = if r == "global" { wanted.first().copied().unwrap_or("us-east-1") } else { r.as_str() };
                    from.cover(t, r);
                }
                rows_to_items(&account.id, rows, &format!("aggregator {name}"), &mut from, region);
            }
            from.errors.extend(sink.errors);
        }
    }
    from
}

/// One type of one region through `ListDiscoveredResources` + `BatchGetResourceConfig`.
async fn discovered(client: &aws_sdk_config::Client, t: &str, region: &str, sink: &mut Sink) -> Option<Vec<Value>> {
    let r = client
        .list_discovered_resources()
        .resource_type(aws_sdk_config::types::ResourceType::from(t))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await;
    let ids = sink.call(SERVICE, region, &format!("ListDiscoveredResources {t}"), r)?;
    let keys: Vec<ResourceKey> = ids
        .iter()
        .filter_map(|i| ResourceKey::builder().resource_type(i.resource_type()?.clone()).resource_id(i.resource_id()?).build().ok())
        .collect();
    let mut rows = vec![];
    for chunk in keys.chunks(100) {
        let r = client.batch_get_resource_config().set_resource_keys(Some(chunk.to_vec())).send().await;
        let got = sink.call(SERVICE, region, &format!("BatchGetResourceConfig {t}"), r)?;
        if !got.unprocessed_resource_keys().is_empty() {
            sink.error(
                SERVICE,
                region,
                format!("BatchGetResourceConfig {t}: {} resource(s) left unprocessed", got.unprocessed_resource_keys().len()),
            );
            return None;
        }
        for i in got.base_configuration_items() {
            let supplementary: Map<String, Value> =
                i.supplementary_configuration().into_iter().flatten().map(|(k, v)| (k.clone(), json!(v))).collect();
            rows.push(json!({
                "resourceType": i.resource_type().map(|t| t.as_str()),
                "resourceId": i.resource_id(),
                "resourceName": i.resource_name(),
                "awsRegion": i.aws_region(),
                "arn": i.arn(),
                "configuration": i.configuration(),
                "supplementaryConfiguration": supplementary,
            }));
        }
    }
    Some(rows)
}

/// The query an aggregator answers for one account: every type Config can be the source
/// for, in the regions named.
pub(crate) fn aggregator_query(account: &str, regions: &[&str]) -> String {
    let list = |xs: &[&str]| xs.iter().map(|x| format!("'{x}'")).collect::<Vec<_>>().join(", ");
    let mut regions = regions.to_vec();
    regions.push("global");
    format!("SELECT * WHERE accountId = '{account}' AND resourceType IN ({}) AND awsRegion IN ({})", list(CONFIG_TYPES), list(&regions))
}

async fn aggregated(
    client: &aws_sdk_config::Client,
    aggregator: &str,
    account: &str,
    regions: &[&str],
    region: &str,
    sink: &mut Sink,
) -> Option<Vec<Value>> {
    let r = client
        .select_aggregate_resource_config()
        .configuration_aggregator_name(aggregator)
        .expression(aggregator_query(account, regions))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await;
    let results = sink.call(SERVICE, region, &format!("SelectAggregateResourceConfig {aggregator}"), r)?;
    let mut rows = vec![];
    for (i, text) in results.iter().enumerate() {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => rows.push(v),
            Err(e) => {
                sink.error(SERVICE, region, format!("SelectAggregateResourceConfig {aggregator}: result {i}: not JSON: {e}"));
                return None;
            }
        }
    }
    Some(rows)
}

/// Config's rows become items through the snapshot reader, so they meet the same checks
/// (account, shapes, tags in either form) as a snapshot file.
fn rows_to_items(account: &str, rows: Vec<Value>, origin: &str, from: &mut FromConfig, region: &str) {
    let doc = json!({
        "accountId": account,
        "capturedAt": securebase_inventory::time::now_rfc3339(),
        "configurationItems": rows,
    });
    match securebase_inventory::parse_account(&doc.to_string(), origin) {
        Ok(inv) => from.items.extend(inv.iter().cloned()),
        Err(e) => from.errors.push(crate::CollectError { service: SERVICE.into(), region: region.into(), message: e.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_aggregator_query_names_the_account_types_and_regions() {
        let q = aggregator_query("111122223333", &["us-east-1", "eu-west-1"]);
        assert!(q.starts_with("SELECT * WHERE accountId = '111122223333' AND resourceType IN ('AWS::AccessAnalyzer::Analyzer', "));
        assert!(q.ends_with("AND awsRegion IN ('us-east-1', 'eu-west-1', 'global')"));
    }

    #[test]
    fn aggregator_rows_become_items_and_bad_rows_an_error() {
        let mut from = FromConfig::default();
        let row = json!({
            "accountId": "111122223333", "resourceType": "AWS::EC2::VPC", "resourceId": "vpc-1", "awsRegion": "us-east-1",
            "configuration": { "vpcId": "vpc-1", "isDefault": false }, "supplementaryConfiguration": {},
            "tags": [{ "key": "Name", "value": "main" }],
        });
        rows_to_items("111122223333", vec![row.clone()], "aggregator a", &mut from, "us-east-1");
        assert_eq!(from.items.len(), 1);
        assert_eq!(from.items[0].tags, vec![("Name".to_string(), "main".to_string())]);
        assert!(from.items[0].configuration.contains("\"vpcId\":\"vpc-1\""));
        let mut foreign = row;
        foreign["accountId"] = json!("999999999999");
        rows_to_items("111122223333", vec![foreign], "aggregator a", &mut from, "us-east-1");
        assert_eq!(from.items.len(), 1);
        assert!(from.errors[0].message.contains("aggregator a"), "{:?}", from.errors);
    }

    #[test]
    fn covered_buckets_are_skipped_by_region_and_iam_globally() {
        let mut from = FromConfig::default();
        from.cover("AWS::S3::Bucket", "eu-west-1");
        from.cover("AWS::IAM::Role", "us-east-1");
        from.cover("AWS::EC2::VPC", "us-east-1");
        assert_eq!(from.skip("global"), vec!["AWS::IAM::Role".to_string(), "AWS::S3::Bucket@eu-west-1".to_string()]);
        assert_eq!(from.skip("us-east-1"), vec!["AWS::EC2::VPC".to_string()]);
        assert_eq!(from.skip("eu-west-1"), vec!["AWS::S3::Bucket".to_string()]);
    }
}
