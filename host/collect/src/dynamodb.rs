//! DynamoDB of one region: tables in AWS Config's shape (the old Java SDK's camelCase, so
//! `ssedescription`, `kmsmasterKeyArn`), with point-in-time recovery in the
//! supplementary `ContinuousBackupsDescription` as Config records it.

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "dynamodb";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::DynamoDB::Table") {
        return out;
    }
    let ddb = client!(aws_sdk_dynamodb, s);
    let region = s.region;
    let r = ddb.list_tables().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for name in out.call(SERVICE, region, "ListTables", r).unwrap_or_default() {
        let r = ddb.describe_table().table_name(&name).send().await;
        let Some(t) = out.call(SERVICE, region, &format!("DescribeTable {name}"), r).and_then(|d| d.table().cloned()) else { continue };
        let r = ddb.describe_continuous_backups().table_name(&name).send().await;
        // Point-in-time recovery decides a check: a table whose backups cannot be read is not emitted.
        let Some(backups) = out.call(SERVICE, region, &format!("DescribeContinuousBackups {name}"), r) else { continue };
        let backups = backups.continuous_backups_description().map(|b| {
            json!({
                "continuousBackupsStatus": b.continuous_backups_status().as_str(),
                "pointInTimeRecoveryDescription": {
                    "pointInTimeRecoveryStatus": b.point_in_time_recovery_description().and_then(|p| p.point_in_time_recovery_status()).map(|s| s.as_str()),
                },
            })
        });
        let mut config = json!({
            "tableName": t.table_name(),
            "tableArn": t.table_arn(),
            "tableStatus": t.table_status().map(|s| s.as_str()),
            "billingModeSummary": { "billingMode": t.billing_mode_summary().and_then(|b| b.billing_mode()).map(|m| m.as_str()).unwrap_or("PROVISIONED") },
            "deletionProtectionEnabled": t.deletion_protection_enabled().unwrap_or(false),
        });
        // DescribeTable leaves SSEDescription out when the AWS owned key is used; so does Config.
        if let Some(sse) = t.sse_description() {
            config["ssedescription"] = json!({
                "status": sse.status().map(|s| s.as_str()),
                "ssetype": sse.sse_type().map(|s| s.as_str()),
                "kmsmasterKeyArn": sse.kms_master_key_arn(),
            });
        }
        out.push(
            item("AWS::DynamoDB::Table", &name, s.account, region, config)
                .named(Some(&name))
                .arn(t.table_arn().map(str::to_string))
                .supplementary(json!({ "ContinuousBackupsDescription": backups })),
        );
    }
    out
}
