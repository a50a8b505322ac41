//! Queue policies refuse requests that do not use TLS.

use securebase_plugin_sdk::aws::tls_policy_verdict;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "sqs_queues_secure_transport_policy",
        title: "SQS queue policies deny requests made without TLS",
        severity: Severity::Medium,
        resource_types: &[crate::QUEUE],
        rationale: "Without an explicit deny on aws:SecureTransport=false, clients can send and receive messages over plain HTTP, where they can be read or altered in transit.",
        remediation: "Add a statement to the queue policy (aws sqs set-queue-attributes --queue-url QUEUE_URL --attributes file://policy-attributes.json): {\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sqs:*\",\"Resource\":\"QUEUE_ARN\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}",
        references: &[reference("prowler", "sqs_queues_secure_transport_enabled")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for queue in inv.items(crate::QUEUE).iter() {
        tls_policy_verdict(out, queue, "Queue", "sqs", queue.config("/Policy"));
    }
}
