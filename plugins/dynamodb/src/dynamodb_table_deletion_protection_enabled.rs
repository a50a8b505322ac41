//! DynamoDB tables have deletion protection enabled.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "dynamodb_table_deletion_protection_enabled",
        title: "DynamoDB tables have deletion protection enabled",
        severity: Severity::Medium,
        resource_types: &[crate::TABLE],
        rationale: "Deletion protection stops a table, and every item in it, from being deleted by a mistaken command or a compromised automation.",
        remediation: "aws dynamodb update-table --table-name TABLE --deletion-protection-enabled",
        references: &[
            reference("aws-config-rule", "DYNAMODB_TABLE_DELETION_PROTECTION_ENABLED"),
            reference("prowler", "dynamodb_table_deletion_protection_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for table in inv.items(crate::TABLE).iter() {
        let name = table.name();
        out.verdict(
            table,
            table.config_bool("/deletionProtectionEnabled") == Some(true),
            format!("Table {name} has deletion protection enabled."),
            format!("Table {name} does not have deletion protection enabled."),
        );
    }
}
