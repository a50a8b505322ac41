//! Built-in control plugin for Amazon ECS task definitions: privileged containers, root
//! users with host networking, read-only root filesystems, credentials in plain
//! environment variables and container logging.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::{Findings, Item, Plugin, inventory_bool};
use serde_json::Value;

mod ecs_task_definitions_containers_readonly_access;
mod ecs_task_definitions_host_networking_mode_users;
mod ecs_task_definitions_logging_enabled;
mod ecs_task_definitions_no_environment_secrets;
mod ecs_task_definitions_no_privileged_containers;

/// AWS Config records task definitions in their CloudFormation shape (PascalCase), each
/// item named `family:revision`. Environment variable values are redacted by the
/// collector (always `"<redacted>"`); unset settings may be `null`. Each container's
/// `LogConfiguration` is `{"LogDriver", "Options"}`, absent or `null` when it has none.
const TASK_DEFINITION: &str = "AWS::ECS::TaskDefinition";

/// The container definitions of a task definition (none when absent).
fn containers(task: &Item) -> &[Value] {
    task.config("/ContainerDefinitions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// A container's name, for messages.
fn container_name(container: &Value) -> &str {
    container.get("Name").and_then(Value::as_str).unwrap_or("(unnamed)")
}

/// A boolean setting of a container definition; absent is AWS's default, `false`.
fn container_flag(container: &Value, key: &str) -> bool {
    container.get(key).and_then(inventory_bool) == Some(true)
}

/// The verdict of a rule every container of a task definition must meet: not applicable
/// without containers, failing with the names of those that `break_it`. `pass` gets the
/// task's name and its number of containers, `fail` its name and the offenders' names.
fn container_verdict(
    out: &mut Findings,
    task: &Item,
    break_it: impl Fn(&Value) -> bool,
    pass: impl FnOnce(&str, usize) -> String,
    fail: impl FnOnce(&str, &str) -> String,
) {
    let name = task.name();
    let containers = containers(task);
    if containers.is_empty() {
        out.not_applicable(task, format!("Task definition {name} has no container definitions."));
        return;
    }
    let offenders: Vec<&str> = containers.iter().filter(|c| break_it(c)).map(container_name).collect();
    out.verdict(task, offenders.is_empty(), pass(name, containers.len()), fail(name, &offenders.join(", ")));
}

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "ecs",
    version: "1.0.0",
    checks: &[
        ecs_task_definitions_no_privileged_containers::CHECK,
        ecs_task_definitions_host_networking_mode_users::CHECK,
        ecs_task_definitions_containers_readonly_access::CHECK,
        ecs_task_definitions_no_environment_secrets::CHECK,
        ecs_task_definitions_logging_enabled::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
