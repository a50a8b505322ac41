//! CloudTrail log file validation is enabled.

use crate::trails::{TRAIL, name};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudtrail_log_file_validation_enabled",
        title: "CloudTrail log file validation is enabled",
        severity: Severity::Medium,
        resource_types: &[TRAIL],
        rationale: "Digest files let you prove that delivered logs were not modified or deleted.",
        remediation: "aws cloudtrail update-trail --name TRAIL --enable-log-file-validation",
        references: &[
            reference("aws-config-rule", "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED"),
            reference("prowler", "cloudtrail_log_file_validation_enabled"),
            reference("cis", "3.2"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for t in inv.items(TRAIL).iter() {
        out.verdict(
            t,
            t.config_bool("/EnableLogFileValidation") == Some(true),
            format!("Trail {} validates its log files.", name(t)),
            format!("Trail {} does not validate its log files.", name(t)),
        );
    }
}
