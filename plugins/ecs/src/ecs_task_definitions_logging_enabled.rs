//! Every container sends its logs somewhere.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ecs_task_definitions_logging_enabled",
        title: "ECS task definitions configure logging for every container",
        severity: Severity::High,
        resource_types: &[crate::TASK_DEFINITION],
        rationale: "A container without a log configuration writes its output only to the container instance (or nowhere, on Fargate), where it is lost when the task stops; application errors and signs of compromise then leave no record to alert on or investigate.",
        remediation: "Add a log configuration to each container definition, e.g. \"logConfiguration\": {\"logDriver\": \"awslogs\", \"options\": {\"awslogs-group\": \"/ecs/FAMILY\", \"awslogs-region\": \"REGION\", \"awslogs-stream-prefix\": \"ecs\"}}, register a new revision with aws ecs register-task-definition --cli-input-json file://taskdef.json and update the services that use it.",
        references: &[
            reference("aws-config-rule", "ECS_TASK_DEFINITION_LOG_CONFIGURATION"),
            reference("prowler", "ecs_task_definitions_logging_enabled"),
        ],
    },
    run,
};

/// Whether a container definition names a log driver (`LogConfiguration` absent or null means none).
fn logs(container: &Value) -> bool {
    container.pointer("/LogConfiguration/LogDriver").and_then(Value::as_str).is_some_and(|d| !d.trim().is_empty())
}

fn run(inv: &Inventory, out: &mut Findings) {
    for task in inv.items(crate::TASK_DEFINITION).iter() {
        crate::container_verdict(
            out,
            task,
            |c| !logs(c),
            |name, n| format!("Task definition {name} configures logging for all {n} container(s)."),
            |name, silent| format!("Task definition {name} has container(s) without a log configuration: {silent}."),
        );
    }
}
