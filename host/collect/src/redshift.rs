//! Redshift of one region: clusters in AWS Config's camelCase shape, with audit logging in
//! the supplementary `LoggingStatus` as Config records it.

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "redshift";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::Redshift::Cluster") {
        return out;
    }
    let rs = client!(aws_sdk_redshift, s);
    let region = s.region;
    let r = rs.describe_clusters().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for c in out.call(SERVICE, region, "DescribeClusters", r).unwrap_or_default() {
        let Some(id) = c.cluster_identifier() else { continue };
        let r = rs.describe_logging_status().cluster_identifier(id).send().await;
        // Audit logging decides a check: a cluster whose logging cannot be read is not emitted.
        let Some(logging) = out.call(SERVICE, region, &format!("DescribeLoggingStatus {id}"), r) else { continue };
        let config = json!({
            "clusterIdentifier": id,
            "nodeType": c.node_type(),
            "encrypted": c.encrypted().unwrap_or(false),
            "kmsKeyId": c.kms_key_id(),
            "publiclyAccessible": c.publicly_accessible().unwrap_or(false),
            "automatedSnapshotRetentionPeriod": c.automated_snapshot_retention_period(),
            "enhancedVpcRouting": c.enhanced_vpc_routing().unwrap_or(false),
            "allowVersionUpgrade": c.allow_version_upgrade().unwrap_or(false),
            "vpcId": c.vpc_id(),
        });
        let supplementary = json!({ "LoggingStatus": {
            "loggingEnabled": logging.logging_enabled().unwrap_or(false),
            "bucketName": logging.bucket_name(),
            "logDestinationType": logging.log_destination_type().map(|d| d.as_str()),
        }});
        out.push(
            item("AWS::Redshift::Cluster", id, s.account, region, config)
                .named(Some(id))
                .arn(c.cluster_namespace_arn().map(str::to_string))
                .supplementary(supplementary),
        );
    }
    out
}
