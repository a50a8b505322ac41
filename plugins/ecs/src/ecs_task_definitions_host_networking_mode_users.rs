//! Task definitions with host networking run no container as root or privileged.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ecs_task_definitions_host_networking_mode_users",
        title: "ECS task definitions with host network mode run no container as root or privileged",
        severity: Severity::High,
        resource_types: &[crate::TASK_DEFINITION],
        rationale: "In host network mode containers share the container instance's network stack: one running as root can bind privileged ports, sniff or spoof the host's traffic and reach its metadata endpoint. AWS Config and Prowler accept a container marked privileged; this check fails it too, since a privileged container on the host's network is the larger risk.",
        remediation: "Set \"user\" to a non-root UID (for example \"1000:1000\") and remove \"privileged\": true in each container definition, or switch to awsvpc network mode; register a new revision with aws ecs register-task-definition --cli-input-json file://taskdef.json and update the services that use it.",
        references: &[
            reference("aws-config-rule", "ECS_TASK_DEFINITION_USER_FOR_HOST_MODE_CHECK"),
            reference("prowler", "ecs_task_definitions_host_networking_mode_users"),
        ],
    },
    run,
};

/// Whether a container runs as root: no `User` (then the image's user, root unless the
/// image says otherwise), or user `root` or UID 0, with or without a group.
fn runs_as_root(container: &Value) -> bool {
    let user = container.get("User").and_then(Value::as_str).unwrap_or("").trim();
    let name = user.split_once(':').map_or(user, |(name, _group)| name);
    matches!(name, "" | "root" | "0")
}

fn run(inv: &Inventory, out: &mut Findings) {
    for task in inv.items(crate::TASK_DEFINITION).iter() {
        let name = task.name();
        // Without NetworkMode, tasks on EC2 Linux instances use bridge.
        let mode = task.config_str("/NetworkMode").unwrap_or("bridge");
        if mode != "host" {
            out.not_applicable(task, format!("Task definition {name} uses network mode {mode}, not host."));
            continue;
        }
        let containers = crate::containers(task);
        if containers.is_empty() {
            out.not_applicable(task, format!("Task definition {name} has no container definitions."));
            continue;
        }
        let mut unsafe_containers = Vec::new();
        for container in containers {
            let why = match (crate::container_flag(container, "Privileged"), runs_as_root(container)) {
                (true, true) => "privileged, as root",
                (true, false) => "privileged",
                (false, true) => "as root",
                (false, false) => continue,
            };
            unsafe_containers.push(format!("{} ({why})", crate::container_name(container)));
        }
        out.verdict(
            task,
            unsafe_containers.is_empty(),
            format!("Task definition {name} uses host network mode with non-root, unprivileged containers only."),
            format!("Task definition {name} uses host network mode with container(s) {}.", unsafe_containers.join(", ")),
        );
    }
}
