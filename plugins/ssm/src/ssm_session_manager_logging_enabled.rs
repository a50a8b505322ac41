//! Session Manager logs session activity in every enabled region.

use securebase_plugin_sdk::resource_types::REGION;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, aws, reference};

/// Our own resource type: the inputs of document `SSM-SessionManagerRunShell`, one per
/// region where the account has set Session Manager preferences (resource id = region).
const PREFERENCES: &str = "SecureBase::SSM::SessionManagerPreferences";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ssm_session_manager_logging_enabled",
        title: "Session Manager logs session activity in every region",
        severity: Severity::Medium,
        resource_types: &[REGION],
        rationale: "CloudTrail records that a session started, not what was typed in it; without session logs to S3 or CloudWatch Logs, the commands run on an instance through Session Manager leave no record.",
        remediation: "In every enabled region, set inputs.s3BucketName and/or inputs.cloudWatchLogGroupName in the preferences document: aws ssm update-document --name SSM-SessionManagerRunShell --content file://SessionManagerRunShell.json --document-version '$LATEST' (aws ssm create-document --name SSM-SessionManagerRunShell --document-type Session --content file://SessionManagerRunShell.json where none exists yet).",
        references: &[reference("url", "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-logging.html")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    aws::per_region(inv, out, PREFERENCES, "Session Manager logging", |p| {
        ["/s3BucketName", "/cloudWatchLogGroupName"].into_iter().any(|k| p.config_str(k).is_some_and(|v| !v.trim().is_empty()))
    });
}
