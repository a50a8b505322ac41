//! Containers mount their root filesystem read-only.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ecs_task_definitions_containers_readonly_access",
        title: "ECS task definitions give their containers read-only root filesystems",
        severity: Severity::High,
        resource_types: &[crate::TASK_DEFINITION],
        rationale: "With a writable root filesystem, an attacker who gets code execution in the container can replace binaries, drop tools and persist across processes; read-only, only the volumes mounted on purpose can be written.",
        remediation: "Set \"readonlyRootFilesystem\": true in each container definition (mount a volume for the paths the application must write, such as /tmp), register a new revision with aws ecs register-task-definition --cli-input-json file://taskdef.json and update the services that use it.",
        references: &[
            reference("aws-config-rule", "ECS_CONTAINERS_READONLY_ACCESS"),
            reference("prowler", "ecs_task_definitions_containers_readonly_access"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for task in inv.items(crate::TASK_DEFINITION).iter() {
        crate::container_verdict(
            out,
            task,
            |c| !crate::container_flag(c, "ReadonlyRootFilesystem"),
            |name, n| format!("Task definition {name} gives all {n} container(s) a read-only root filesystem."),
            |name, writable| format!("Task definition {name} gives container(s) {writable} a writable root filesystem."),
        );
    }
}
