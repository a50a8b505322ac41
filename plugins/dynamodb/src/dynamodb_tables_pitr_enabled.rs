//! DynamoDB tables have point-in-time recovery enabled.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "dynamodb_tables_pitr_enabled",
        title: "DynamoDB tables have point-in-time recovery enabled",
        severity: Severity::Medium,
        resource_types: &[crate::TABLE],
        rationale: "Point-in-time recovery keeps continuous backups for up to 35 days, so a table can be restored to the second before an accidental write, a faulty deployment or a malicious delete.",
        remediation: "aws dynamodb update-continuous-backups --table-name TABLE --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true",
        references: &[reference("aws-config-rule", "DYNAMODB_PITR_ENABLED"), reference("prowler", "dynamodb_tables_pitr_enabled")],
    },
    run,
};

const PITR_STATUS: &str = "/ContinuousBackupsDescription/pointInTimeRecoveryDescription/pointInTimeRecoveryStatus";

fn run(inv: &Inventory, out: &mut Findings) {
    for table in inv.items(crate::TABLE).iter() {
        let name = table.name();
        match table.supplementary_str(PITR_STATUS) {
            Some(status) if status.eq_ignore_ascii_case("ENABLED") => {
                out.pass(table, format!("Table {name} has point-in-time recovery enabled."))
            }
            Some(status) => {
                let status = status.to_ascii_lowercase();
                out.fail(table, format!("Table {name} has point-in-time recovery {status}."))
            }
            // Nothing shows the table can be restored; a recovery guarantee should not be
            // assumed from missing evidence, so this fails rather than passes.
            None => out.fail(table, format!("Table {name} has no point-in-time recovery status recorded.")),
        }
    }
}
