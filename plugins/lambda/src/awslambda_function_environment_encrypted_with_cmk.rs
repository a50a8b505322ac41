//! Environment variables are encrypted with a customer managed KMS key.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "awslambda_function_environment_encrypted_with_cmk",
        title: "Lambda function environment variables are encrypted with a customer managed KMS key",
        severity: Severity::Medium,
        resource_types: &[crate::FUNCTION],
        rationale: "With the AWS managed key aws/lambda, anyone allowed to read the function's configuration reads its environment variables; a customer managed key adds a key policy of its own, rotation and revocation under your control.",
        remediation: "Create a customer managed key that allows the function's execution role kms:Decrypt, then aws lambda update-function-configuration --function-name FUNCTION --kms-key-arn KEY_ARN",
        references: &[reference("prowler", "awslambda_function_env_vars_not_encrypted_with_cmk")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for function in inv.items(crate::FUNCTION).iter() {
        let name = function.name();
        // Values are never collected (always "<redacted>"); only whether there are any matters.
        let count = function.config("/environment/variables").and_then(Value::as_object).map_or(0, |vars| vars.len());
        if count == 0 {
            out.not_applicable(function, format!("Function {name} has no environment variables."));
            continue;
        }
        match function.config_str("/kmskeyArn").map(str::trim).filter(|k| !k.is_empty()) {
            Some(key) => out.pass(function, format!("Function {name}'s {count} environment variable(s) are encrypted with KMS key {key}.")),
            None => out.fail(
                function,
                format!("Function {name} has {count} environment variable(s) encrypted only with the AWS managed key aws/lambda."),
            ),
        }
    }
}
