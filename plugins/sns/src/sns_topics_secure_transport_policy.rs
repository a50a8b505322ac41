//! Topic policies refuse requests that do not use TLS.

use securebase_plugin_sdk::aws::tls_policy_verdict;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "sns_topics_secure_transport_policy",
        title: "SNS topic policies deny requests made without TLS",
        severity: Severity::Medium,
        resource_types: &[crate::TOPIC],
        rationale: "Without an explicit deny on aws:SecureTransport=false, clients can publish to and manage the topic over plain HTTP, where messages can be read or altered in transit.",
        remediation: "Add a statement to the topic policy (aws sns set-topic-attributes --topic-arn TOPIC_ARN --attribute-name Policy --attribute-value file://policy.json): {\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sns:*\",\"Resource\":\"TOPIC_ARN\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}",
        // Neither AWS Config nor Prowler has this check; AWS's SNS security best practices describe it.
        references: &[reference(
            "url",
            "https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html#enforce-encryption-data-in-transit",
        )],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for topic in inv.items(crate::TOPIC).iter() {
        tls_policy_verdict(out, topic, "Topic", "sns", topic.config("/Policy"));
    }
}
