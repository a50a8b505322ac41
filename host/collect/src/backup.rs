//! AWS Backup of one region: vaults (`AWS::Backup::BackupVault`: encryption key and vault
//! lock, from `ListBackupVaults`) and plans (`AWS::Backup::BackupPlan`), in the
//! CloudFormation shape AWS Config records them in.

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "backup";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    let backup = client!(aws_sdk_backup, s);
    let region = s.region;
    if s.wants("AWS::Backup::BackupVault") {
        let r = backup.list_backup_vaults().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for v in out.call(SERVICE, region, "ListBackupVaults", r).unwrap_or_default() {
            let Some(name) = v.backup_vault_name() else { continue };
            let config = json!({
                "BackupVaultName": name,
                "BackupVaultArn": v.backup_vault_arn(),
                "EncryptionKeyArn": v.encryption_key_arn(),
                "Locked": v.locked().unwrap_or(false),
                "MinRetentionDays": v.min_retention_days(),
                "NumberOfRecoveryPoints": v.number_of_recovery_points(),
            });
            out.push(
                item("AWS::Backup::BackupVault", name, s.account, region, config)
                    .named(Some(name))
                    .arn(v.backup_vault_arn().map(str::to_string)),
            );
        }
    }
    if s.wants("AWS::Backup::BackupPlan") {
        let r = backup.list_backup_plans().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for p in out.call(SERVICE, region, "ListBackupPlans", r).unwrap_or_default() {
            let Some(id) = p.backup_plan_id() else { continue };
            let config = json!({ "BackupPlanId": id, "BackupPlanName": p.backup_plan_name(), "BackupPlanArn": p.backup_plan_arn() });
            out.push(
                item("AWS::Backup::BackupPlan", id, s.account, region, config)
                    .named(p.backup_plan_name())
                    .arn(p.backup_plan_arn().map(str::to_string)),
            );
        }
    }
    out
}
