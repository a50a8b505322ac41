//! CloudWatch Logs log groups keep their events for at least a year.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// The shortest retention judged enough: a year, as PCI DSS 10.5.1 asks of audit logs
/// and as AWS Config's rule assumes by default.
const MIN_DAYS: i64 = 365;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudwatch_log_group_retention_policy_specific_days_enabled",
        title: "CloudWatch Logs log groups retain events for at least 365 days",
        severity: Severity::Medium,
        resource_types: &[crate::LOG_GROUP],
        rationale: "An investigation often starts months after the fact: a breach found today may have begun last spring. Log events that expired after a week or a month leave no record of how an attacker got in or what they touched, and audit frameworks ask for a year of history (PCI DSS 10.5.1, FedRAMP AU-11).",
        remediation: "aws logs put-retention-policy --log-group-name NAME --retention-in-days 365 (or longer; or keep the group at Never expire and archive it with an export or a subscription).",
        references: &[
            reference("aws-config-rule", "CW_LOGGROUP_RETENTION_PERIOD_CHECK"),
            reference("prowler", "cloudwatch_log_group_retention_policy_specific_days_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for group in inv.items(crate::LOG_GROUP).iter() {
        let name = group.name();
        // No retention set means the events never expire.
        match group.config_i64("/retentionInDays") {
            None => out.pass(group, format!("Log group {name} keeps its events forever (no retention limit).")),
            Some(days) if days >= MIN_DAYS => out.pass(group, format!("Log group {name} keeps its events for {days} days.")),
            Some(days) => out.fail(group, format!("Log group {name} keeps its events for {days} days only, less than {MIN_DAYS}.")),
        }
    }
}
