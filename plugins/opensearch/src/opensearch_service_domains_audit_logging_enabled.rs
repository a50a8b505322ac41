//! OpenSearch domains publish audit logs.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "opensearch_service_domains_audit_logging_enabled",
        title: "OpenSearch domains publish audit logs",
        severity: Severity::High,
        resource_types: &[crate::DOMAIN],
        rationale: "Audit logs record who signed in, who was refused and, where configured, who read or changed which index; without them, misuse of the domain's data cannot be detected or investigated.",
        remediation: "Audit logs need fine-grained access control. Allow es.amazonaws.com to write to a log group (aws logs put-resource-policy), then aws opensearch update-domain-config --domain-name DOMAIN --log-publishing-options \"AUDIT_LOGS={CloudWatchLogsLogGroupArn=LOG_GROUP_ARN,Enabled=true}\" and choose the audit categories in OpenSearch Dashboards (Security > Audit logs).",
        references: &[
            reference("aws-config-rule", "OPENSEARCH_AUDIT_LOGGING_ENABLED"),
            reference("prowler", "opensearch_service_domains_audit_logging_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for domain in inv.items(crate::DOMAIN).iter() {
        let name = domain.name();
        // LogPublishingOptions is {} when the domain publishes no logs at all.
        if domain.config_bool("/LogPublishingOptions/AUDIT_LOGS/Enabled") != Some(true) {
            out.fail(domain, format!("Domain {name} does not publish audit logs."));
            continue;
        }
        match domain.config_str("/LogPublishingOptions/AUDIT_LOGS/CloudWatchLogsLogGroupArn").map(str::trim).filter(|g| !g.is_empty()) {
            Some(group) => out.pass(domain, format!("Domain {name} publishes audit logs to {group}.")),
            None => out.pass(domain, format!("Domain {name} publishes audit logs.")),
        }
    }
}
