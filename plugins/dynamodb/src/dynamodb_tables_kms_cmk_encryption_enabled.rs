//! DynamoDB tables are encrypted with a KMS key rather than the AWS owned key.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "dynamodb_tables_kms_cmk_encryption_enabled",
        title: "DynamoDB tables are encrypted with a KMS key",
        severity: Severity::Medium,
        resource_types: &[crate::TABLE],
        rationale: "With a KMS key instead of the AWS owned key, every use of the key is logged in CloudTrail and access to the table's data can be withdrawn through the key policy.",
        remediation: "aws dynamodb update-table --table-name TABLE --sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=KEY_ARN (or choose a customer managed key under Additional settings > Encryption in the console).",
        references: &[
            reference("aws-config-rule", "DYNAMODB_TABLE_ENCRYPTED_KMS"),
            reference("prowler", "dynamodb_tables_kms_cmk_encryption_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for table in inv.items(crate::TABLE).iter() {
        let name = table.name();
        match table.config_str("/ssedescription/ssetype") {
            Some(kind) if kind.eq_ignore_ascii_case("KMS") => match table.config_str("/ssedescription/kmsmasterKeyArn") {
                Some(key) => out.pass(table, format!("Table {name} is encrypted with KMS key {key}.")),
                None => out.pass(table, format!("Table {name} is encrypted with a KMS key.")),
            },
            _ => out.fail(table, format!("Table {name} is encrypted with the AWS owned key, not a KMS key.")),
        }
    }
}
