//! CloudTrail trails deliver to CloudWatch Logs.

use crate::trails::{TRAIL, name};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudtrail_cloudwatch_logging_enabled",
        title: "CloudTrail trails deliver to CloudWatch Logs",
        severity: Severity::Low,
        resource_types: &[TRAIL],
        rationale: "Delivery to CloudWatch Logs is what metric filters and alarms on API activity run on.",
        remediation: "aws cloudtrail update-trail --name TRAIL --cloud-watch-logs-log-group-arn ARN --cloud-watch-logs-role-arn ROLE",
        references: &[
            reference("aws-config-rule", "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED"),
            reference("prowler", "cloudtrail_cloudwatch_logging_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for t in inv.items(TRAIL).iter() {
        out.verdict(
            t,
            crate::trails::logging(t) && t.config_str("/CloudWatchLogsLogGroupArn").is_some_and(|a| !a.is_empty()),
            format!("Trail {} delivers to CloudWatch Logs.", name(t)),
            format!("Trail {} does not deliver to CloudWatch Logs.", name(t)),
        );
    }
}
