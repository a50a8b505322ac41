//! Topic policies refuse requests that do not use TLS.

use securebase_plugin_sdk::aws::policy_requires_tls;
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
        let name = topic.name();
        let Some(policy) = topic.config("/Policy").filter(|v| !v.is_null() && v.as_str() != Some("")) else {
            out.fail(topic, format!("Topic {name} has no access policy, so requests without TLS are not denied."));
            continue;
        };
        match policy_requires_tls(Some(policy), "sns") {
            Ok(true) => out.pass(topic, format!("Topic {name} denies requests that do not use TLS.")),
            Ok(false) => out.fail(topic, format!("Topic {name}'s policy does not deny sns:* requests with aws:SecureTransport=false.")),
            Err(e) => out.error(topic, format!("Topic {name}: {e}.")),
        }
    }
}
