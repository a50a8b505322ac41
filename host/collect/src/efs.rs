//! EFS of one region: file systems in the CloudFormation shape AWS Config records
//! (`Encrypted`, `BackupPolicy.Status`).

use crate::sink::{ItemExt, Sink, is_code, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "efs";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::EFS::FileSystem") {
        return out;
    }
    let efs = client!(aws_sdk_efs, s);
    let region = s.region;
    let r = efs.describe_file_systems().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for fs in out.call(SERVICE, region, "DescribeFileSystems", r).unwrap_or_default() {
        let id = fs.file_system_id();
        let backup = match efs.describe_backup_policy().file_system_id(id).send().await {
            Ok(b) => b.backup_policy().map(|p| p.status().as_str().to_string()).unwrap_or_else(|| "DISABLED".into()),
            Err(e) if is_code(&e, &["PolicyNotFound"]) => "DISABLED".into(),
            Err(e) => {
                out.call::<(), _>(SERVICE, region, &format!("DescribeBackupPolicy {id}"), Err(e));
                continue;
            }
        };
        let config = json!({
            "FileSystemId": id,
            "Encrypted": fs.encrypted(),
            "KmsKeyId": fs.kms_key_id(),
            "PerformanceMode": fs.performance_mode().as_str(),
            "BackupPolicy": { "Status": backup },
        });
        out.push(
            item("AWS::EFS::FileSystem", id, s.account, region, config)
                .named(fs.name())
                .arn(fs.file_system_arn().map(str::to_string))
                .tags(fs.tags().iter().map(|t| (t.key(), t.value()))),
        );
    }
    out
}
