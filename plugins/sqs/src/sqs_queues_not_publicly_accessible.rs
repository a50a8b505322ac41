//! No queue policy lets everyone use the queue.

use securebase_plugin_sdk::aws::public_policy_verdict;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "sqs_queues_not_publicly_accessible",
        title: "SQS queues are not publicly accessible through their access policy",
        severity: Severity::Critical,
        resource_types: &[crate::QUEUE],
        rationale: "A queue policy that allows \"*\" without conditions lets anyone on the internet send, read or delete messages, or change the queue.",
        remediation: "Replace Principal \"*\" with specific account, role or service principals, or scope the statement with conditions such as aws:SourceArn or aws:PrincipalOrgID: aws sqs set-queue-attributes --queue-url QUEUE_URL --attributes file://policy-attributes.json",
        references: &[
            reference("aws-config-rule", "SQS_QUEUE_NO_PUBLIC_ACCESS"),
            reference("prowler", "sqs_queues_not_publicly_accessible"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for queue in inv.items(crate::QUEUE).iter() {
        public_policy_verdict(out, queue, "Queue", "access policy", queue.config("/Policy"));
    }
}
