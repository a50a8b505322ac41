//! No container of a task definition runs privileged.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ecs_task_definitions_no_privileged_containers",
        title: "ECS task definitions have no privileged containers",
        severity: Severity::High,
        resource_types: &[crate::TASK_DEFINITION],
        rationale: "A privileged container gets root's full capabilities and the host's devices: code running in it can escape to the container instance and reach every other task on it.",
        remediation: "Remove \"privileged\": true from the container definitions (grant a single capability with linuxParameters.capabilities.add if one is needed), register a new revision with aws ecs register-task-definition --cli-input-json file://taskdef.json, then aws ecs update-service --cluster CLUSTER --service SERVICE --task-definition FAMILY:REVISION.",
        references: &[
            reference("aws-config-rule", "ECS_CONTAINERS_NONPRIVILEGED"),
            reference("prowler", "ecs_task_definitions_no_privileged_containers"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for task in inv.items(crate::TASK_DEFINITION).iter() {
        crate::container_verdict(
            out,
            task,
            |c| crate::container_flag(c, "Privileged"),
            |name, n| format!("Task definition {name} has no privileged container ({n} container(s))."),
            |name, privileged| format!("Task definition {name} runs privileged container(s): {privileged}."),
        );
    }
}
