//! Credentials are not kept in environment variables.

use securebase_plugin_sdk::aws::looks_like_credential_name;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "awslambda_function_no_secrets_in_variables",
        title: "Lambda functions keep no credentials in environment variables",
        severity: Severity::Critical,
        resource_types: &[crate::FUNCTION],
        rationale: "Environment variables are returned to anyone allowed lambda:GetFunctionConfiguration, copied into every published version and often into logs and deployment templates; credentials belong in Secrets Manager or Parameter Store, read at run time. Values are never collected (they are redacted before anything is kept), so this check reads the variables' names (DB_PASSWORD, API_KEY, ...); Prowler's check of the same id scans the values instead.",
        remediation: "Store the value in Secrets Manager (aws secretsmanager create-secret --name NAME --secret-string VALUE), let the execution role read it (secretsmanager:GetSecretValue), read it in the code or through the AWS Parameters and Secrets Lambda Extension, then drop the variable with aws lambda update-function-configuration --function-name FUNCTION --environment \"Variables={REMAINING=VALUES}\" and rotate the exposed credential.",
        references: &[reference("prowler", "awslambda_function_no_secrets_in_variables")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for function in inv.items(crate::FUNCTION).iter() {
        let name = function.name();
        let Some(variables) = function.config("/environment/variables").and_then(Value::as_object).filter(|v| !v.is_empty()) else {
            out.not_applicable(function, format!("Function {name} has no environment variables."));
            continue;
        };
        let mut suspicious = Vec::new();
        for var in variables.keys() {
            if looks_like_credential_name(var) {
                suspicious.push(var.as_str());
            }
        }
        out.verdict(
            function,
            suspicious.is_empty(),
            format!("Function {name} has {} environment variable(s), none named like a credential.", variables.len()),
            format!("Function {name} keeps what look like credentials in environment variables: {}.", suspicious.join(", ")),
        );
    }
}
