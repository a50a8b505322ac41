//! RDS instances have Enhanced Monitoring enabled.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "rds_instance_enhanced_monitoring_enabled",
        title: "RDS instances have Enhanced Monitoring enabled",
        severity: Severity::Low,
        resource_types: &[crate::INSTANCE],
        rationale: "Enhanced Monitoring reports operating-system metrics (processes, memory, file system, I/O) from an agent on the instance, at up to one-second granularity; without it, the causes of degraded or abnormal database behaviour are hard to see.",
        remediation: "aws rds modify-db-instance --db-instance-identifier ID --monitoring-interval 60 --monitoring-role-arn arn:aws:iam::ACCOUNT:role/rds-monitoring-role --apply-immediately (the role trusts monitoring.rds.amazonaws.com and has AmazonRDSEnhancedMonitoringRole).",
        references: &[
            reference("aws-config-rule", "RDS_ENHANCED_MONITORING_ENABLED"),
            reference("prowler", "rds_instance_enhanced_monitoring_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for db in inv.items(crate::INSTANCE).iter() {
        let name = db.name();
        // An interval of 0, or none recorded, means Enhanced Monitoring is off.
        let interval = db.config_i64("/monitoringInterval").unwrap_or(0);
        out.verdict(
            db,
            interval > 0,
            format!("DB instance {name} has Enhanced Monitoring every {interval} seconds."),
            format!("DB instance {name} does not have Enhanced Monitoring enabled."),
        );
    }
}
