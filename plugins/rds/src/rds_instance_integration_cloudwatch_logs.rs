//! RDS instances export their logs to CloudWatch Logs.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "rds_instance_integration_cloudwatch_logs",
        title: "RDS instances export their logs to CloudWatch Logs",
        severity: Severity::Medium,
        resource_types: &[crate::INSTANCE],
        rationale: "Database logs (errors, audit, slow queries, upgrades) kept only on the instance rotate away and cannot be searched, alarmed on or retained; exported to CloudWatch Logs they survive the instance and feed monitoring and investigations. Like Prowler, this check passes an instance that exports at least one log type; AWS Config's rule also expects every log type of the engine.",
        remediation: "aws rds modify-db-instance --db-instance-identifier ID --cloudwatch-logs-export-configuration '{\"EnableLogTypes\":[\"postgresql\",\"upgrade\"]}' --apply-immediately (log types depend on the engine: error, general, slowquery and audit for MySQL and MariaDB; alert, audit, listener and trace for Oracle; agent and error for SQL Server).",
        references: &[
            reference("aws-config-rule", "RDS_LOGGING_ENABLED"),
            reference("prowler", "rds_instance_integration_cloudwatch_logs"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for db in inv.items(crate::INSTANCE).iter() {
        let name = db.name();
        let exports: Vec<&str> =
            db.config("/enabledCloudwatchLogsExports").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        out.verdict(
            db,
            !exports.is_empty(),
            format!("DB instance {name} exports {} logs to CloudWatch Logs.", exports.join(", ")),
            format!("DB instance {name} exports no logs to CloudWatch Logs."),
        );
    }
}
