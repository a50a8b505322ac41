//! RDS of one region: DB instances (AWS Config's camelCase shape) and the account's
//! manual DB snapshots with their restore attribute (who may restore them), which
//! decides whether a snapshot is public.

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::{Value, json};

pub(crate) const SERVICE: &str = "rds";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    let rds = client!(aws_sdk_rds, s);
    let (account, region) = (s.account, s.region);
    if s.wants("AWS::RDS::DBInstance") {
        let r = rds.describe_db_instances().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for db in out.call(SERVICE, region, "DescribeDBInstances", r).unwrap_or_default() {
            let name = db.db_instance_identifier().unwrap_or_default();
            let config = json!({
                "dBInstanceIdentifier": name,
                "dbiResourceId": db.dbi_resource_id(),
                "engine": db.engine(),
                "engineVersion": db.engine_version(),
                "storageEncrypted": db.storage_encrypted(),
                "kmsKeyId": db.kms_key_id(),
                "publiclyAccessible": db.publicly_accessible(),
                "backupRetentionPeriod": db.backup_retention_period(),
                "deletionProtection": db.deletion_protection(),
                "autoMinorVersionUpgrade": db.auto_minor_version_upgrade(),
                "multiAZ": db.multi_az(),
                "iAMDatabaseAuthenticationEnabled": db.iam_database_authentication_enabled(),
                "monitoringInterval": db.monitoring_interval(),
                "enhancedMonitoringResourceArn": db.enhanced_monitoring_resource_arn(),
                "enabledCloudwatchLogsExports": db.enabled_cloudwatch_logs_exports(),
                "copyTagsToSnapshot": db.copy_tags_to_snapshot(),
            });
            let id = db.dbi_resource_id().unwrap_or(name);
            out.push(
                item("AWS::RDS::DBInstance", id, account, region, config).named(Some(name)).arn(db.db_instance_arn().map(str::to_string)),
            );
        }
    }
    if s.wants("AWS::RDS::DBSnapshot") {
        let r = rds.describe_db_snapshots().snapshot_type("manual").into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for snap in out.call(SERVICE, region, "DescribeDBSnapshots", r).unwrap_or_default() {
            let Some(id) = snap.db_snapshot_identifier() else { continue };
            let r = rds.describe_db_snapshot_attributes().db_snapshot_identifier(id).send().await;
            // The restore attribute decides "public": without it, the snapshot is not emitted.
            let Some(attrs) = out.call(SERVICE, region, &format!("DescribeDBSnapshotAttributes {id}"), r) else { continue };
            let attributes: Vec<Value> = attrs
                .db_snapshot_attributes_result()
                .map(|r| r.db_snapshot_attributes())
                .unwrap_or_default()
                .iter()
                .map(|a| json!({ "attributeName": a.attribute_name(), "attributeValues": a.attribute_values() }))
                .collect();
            let config = json!({
                "dBSnapshotIdentifier": id,
                "dBInstanceIdentifier": snap.db_instance_identifier(),
                "encrypted": snap.encrypted(),
                "snapshotType": snap.snapshot_type(),
            });
            out.push(
                item("AWS::RDS::DBSnapshot", id, account, region, config)
                    .named(Some(id))
                    .arn(snap.db_snapshot_arn().map(str::to_string))
                    .supplementary(json!({ "DBSnapshotAttributes": attributes })),
            );
        }
    }
    out
}
