//! No topic policy lets everyone use the topic.

use securebase_plugin_sdk::aws::public_policy_verdict;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "sns_topics_not_publicly_accessible",
        title: "SNS topics are not publicly accessible through their access policy",
        severity: Severity::Critical,
        resource_types: &[crate::TOPIC],
        rationale: "A topic policy that allows \"*\" without conditions lets anyone publish to the topic or subscribe to it and receive every message.",
        remediation: "Replace Principal \"*\" with specific account or service principals, or scope the statement with conditions such as aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID: aws sns set-topic-attributes --topic-arn TOPIC_ARN --attribute-name Policy --attribute-value file://policy.json",
        references: &[
            reference("aws-config-rule", "SNS_TOPIC_NO_PUBLIC_ACCESS"),
            reference("prowler", "sns_topics_not_publicly_accessible"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for topic in inv.items(crate::TOPIC).iter() {
        public_policy_verdict(out, topic, "Topic", "access policy", topic.config("/Policy"));
    }
}
