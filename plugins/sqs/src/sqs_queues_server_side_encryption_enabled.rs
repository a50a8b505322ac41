//! SQS queues encrypt messages at rest, with a KMS key (SSE-KMS) or SQS-managed keys (SSE-SQS).

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "sqs_queues_server_side_encryption_enabled",
        title: "SQS queues have server-side encryption enabled",
        severity: Severity::Medium,
        resource_types: &[crate::QUEUE],
        rationale: "Messages often carry personal or business data; server-side encryption keeps them unreadable on the storage that holds the queue.",
        remediation: "aws sqs set-queue-attributes --queue-url QUEUE_URL --attributes SqsManagedSseEnabled=true (or KmsMasterKeyId=KEY_ID_OR_ALIAS for a KMS key)",
        references: &[reference("prowler", "sqs_queues_server_side_encryption_enabled")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for queue in inv.items(crate::QUEUE).iter() {
        let name = queue.name();
        if let Some(key) = queue.config_str("/KmsMasterKeyId").map(str::trim).filter(|k| !k.is_empty()) {
            out.pass(queue, format!("Queue {name} is encrypted at rest with KMS key {key} (SSE-KMS)."));
        } else if queue.config_bool("/SqsManagedSseEnabled") == Some(true) {
            out.pass(queue, format!("Queue {name} is encrypted at rest with SQS-managed keys (SSE-SQS)."));
        } else {
            out.fail(queue, format!("Queue {name} does not have server-side encryption enabled."));
        }
    }
}
