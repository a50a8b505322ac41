//! Credentials are not passed as plain environment variables.

use securebase_plugin_sdk::aws::looks_like_credential_name;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ecs_task_definitions_no_environment_secrets",
        title: "ECS task definitions pass no credentials as plain environment variables",
        severity: Severity::Critical,
        resource_types: &[crate::TASK_DEFINITION],
        rationale: "Plain environment variables are stored in the task definition, visible to anyone who can describe it and kept in every revision; credentials belong in the container's secrets, fetched from Secrets Manager or Parameter Store at start. Values are never collected, so this check reads the variables' names (DB_PASSWORD, API_KEY, ...), like AWS Config's rule; Prowler scans the values instead.",
        remediation: "Store the value in Secrets Manager (aws secretsmanager create-secret --name NAME --secret-string VALUE), replace the environment entry with \"secrets\": [{\"name\": \"VAR\", \"valueFrom\": \"SECRET_ARN\"}], allow the task execution role secretsmanager:GetSecretValue on it, register a new revision with aws ecs register-task-definition --cli-input-json file://taskdef.json, update the services, deregister the old revisions and rotate the exposed credential.",
        references: &[
            reference("aws-config-rule", "ECS_NO_ENVIRONMENT_SECRETS"),
            reference("prowler", "ecs_task_definitions_no_environment_secrets"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for task in inv.items(crate::TASK_DEFINITION).iter() {
        let name = task.name();
        let mut variables = 0;
        let mut suspicious = Vec::new();
        for container in crate::containers(task) {
            let environment = container.get("Environment").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            variables += environment.len();
            for variable in environment {
                let Some(var) = variable.get("Name").and_then(Value::as_str) else { continue };
                if looks_like_credential_name(var) {
                    suspicious.push(format!("{}/{var}", crate::container_name(container)));
                }
            }
        }
        if variables == 0 {
            out.not_applicable(task, format!("Task definition {name} has no plain environment variables."));
            continue;
        }
        out.verdict(
            task,
            suspicious.is_empty(),
            format!("Task definition {name} has {variables} plain environment variable(s), none named like a credential."),
            format!("Task definition {name} passes what look like credentials as plain environment variables: {}.", suspicious.join(", ")),
        );
    }
}
