//! Every enabled region has an AWS Backup plan.

use securebase_plugin_sdk::resource_types::REGION;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, aws, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "backup_plans_exist",
        title: "An AWS Backup plan exists in every region",
        severity: Severity::Low,
        resource_types: &[REGION],
        rationale: "A backup plan is what takes recovery points on a schedule and keeps them for a set time; in a region without one, AWS Backup protects nothing there, and data that is deleted, corrupted or encrypted by ransomware can only be restored from whatever someone remembered to copy by hand. Prowler looks for a plan anywhere in the account; this check wants one in each enabled region, since plans only back up resources in their own region.",
        remediation: "aws backup create-backup-plan --region REGION --backup-plan '{\"BackupPlanName\":\"daily-35d\",\"Rules\":[{\"RuleName\":\"daily\",\"TargetBackupVaultName\":\"Default\",\"ScheduleExpression\":\"cron(0 5 * * ? *)\",\"Lifecycle\":{\"DeleteAfterDays\":35}}]}', then assign resources to it with aws backup create-backup-selection --region REGION --backup-plan-id PLAN_ID --backup-selection '{\"SelectionName\":\"tagged\",\"IamRoleArn\":\"ROLE_ARN\",\"ListOfTags\":[{\"ConditionType\":\"STRINGEQUALS\",\"ConditionKey\":\"backup\",\"ConditionValue\":\"daily\"}]}'.",
        references: &[reference("prowler", "backup_plans_exist")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    aws::per_region(inv, out, crate::PLAN, "AWS Backup", |_| true);
}
