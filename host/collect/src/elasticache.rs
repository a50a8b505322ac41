//! ElastiCache of one region: Redis OSS and Valkey replication groups in AWS Config's
//! camelCase `AWS::ElastiCache::ReplicationGroup` shape (encryption at rest and in transit,
//! AUTH, failover, Multi-AZ, snapshot retention).

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "elasticache";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::ElastiCache::ReplicationGroup") {
        return out;
    }
    let ec = client!(aws_sdk_elasticache, s);
    let region = s.region;
    let r = ec.describe_replication_groups().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for g in out.call(SERVICE, region, "DescribeReplicationGroups", r).unwrap_or_default() {
        let Some(id) = g.replication_group_id() else { continue };
        let config = json!({
            "replicationGroupId": id,
            "description": g.description(),
            "atRestEncryptionEnabled": g.at_rest_encryption_enabled().unwrap_or(false),
            "transitEncryptionEnabled": g.transit_encryption_enabled().unwrap_or(false),
            "authTokenEnabled": g.auth_token_enabled().unwrap_or(false),
            "automaticFailover": g.automatic_failover().map(|x| x.as_str()),
            "multiAZ": g.multi_az().map(|x| x.as_str()),
            "snapshotRetentionLimit": g.snapshot_retention_limit(),
            "kmsKeyId": g.kms_key_id(),
            "engine": g.engine(),
        });
        out.push(
            item("AWS::ElastiCache::ReplicationGroup", id, s.account, region, config).named(Some(id)).arn(g.arn().map(str::to_string)),
        );
    }
    out
}
