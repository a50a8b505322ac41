//! Queue policies refuse requests that do not use TLS.

use securebase_plugin_sdk::aws::policy_requires_tls;
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
        let name = queue.name();
        let Some(policy) = queue.config("/Policy").filter(|v| !v.is_null() && v.as_str() != Some("")) else {
            out.fail(queue, format!("Queue {name} has no access policy, so requests without TLS are not denied."));
            continue;
        };
        match policy_requires_tls(Some(policy), "sqs") {
            Ok(true) => out.pass(queue, format!("Queue {name} denies requests that do not use TLS.")),
            Ok(false) => out.fail(queue, format!("Queue {name}'s policy does not deny sqs:* requests with aws:SecureTransport=false.")),
            Err(e) => out.error(queue, format!("Queue {name}: {e}.")),
        }
    }
}
