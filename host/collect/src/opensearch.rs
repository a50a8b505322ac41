//! OpenSearch Service of one region: domains in the CloudFormation shape AWS Config records
//! `AWS::OpenSearch::Domain` in (PascalCase: `EncryptionAtRestOptions`, `VPCOptions`,
//! `LogPublishingOptions.AUDIT_LOGS`, ...).

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::{Map, Value, json};

pub(crate) const SERVICE: &str = "es";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::OpenSearch::Domain") {
        return out;
    }
    let os = client!(aws_sdk_opensearch, s);
    let region = s.region;
    let r = os.list_domain_names().send().await;
    let names: Vec<String> = out
        .call(SERVICE, region, "ListDomainNames", r)
        .map(|l| l.domain_names().iter().filter_map(|d| d.domain_name().map(str::to_string)).collect())
        .unwrap_or_default();
    for name in names {
        let r = os.describe_domain().domain_name(&name).send().await;
        let Some(d) = out.call(SERVICE, region, &format!("DescribeDomain {name}"), r).and_then(|d| d.domain_status().cloned()) else {
            continue;
        };
        let logs: Map<String, Value> = d
            .log_publishing_options()
            .into_iter()
            .flatten()
            .map(|(kind, o)| {
                (
                    kind.as_str().to_string(),
                    json!({ "Enabled": o.enabled(), "CloudWatchLogsLogGroupArn": o.cloud_watch_logs_log_group_arn() }),
                )
            })
            .collect();
        let mut config = json!({
            "DomainName": name,
            "Arn": d.arn(),
            "EngineVersion": d.engine_version(),
            "EncryptionAtRestOptions": d.encryption_at_rest_options().map(|e| json!({ "Enabled": e.enabled(), "KmsKeyId": e.kms_key_id() })),
            "NodeToNodeEncryptionOptions": d.node_to_node_encryption_options().map(|e| json!({ "Enabled": e.enabled() })),
            "DomainEndpointOptions": d.domain_endpoint_options().map(|e| json!({
                "EnforceHTTPS": e.enforce_https(),
                "TLSSecurityPolicy": e.tls_security_policy().map(|p| p.as_str()),
            })),
            "LogPublishingOptions": logs,
            "AdvancedSecurityOptions": d.advanced_security_options().map(|a| json!({
                "Enabled": a.enabled(),
                "InternalUserDatabaseEnabled": a.internal_user_database_enabled(),
                "AnonymousAuthEnabled": a.anonymous_auth_enabled(),
            })),
        });
        // No VPCOptions is how Config shows a domain with a public endpoint.
        if let Some(v) = d.vpc_options().filter(|v| !v.subnet_ids().is_empty()) {
            config["VPCOptions"] = json!({ "SubnetIds": v.subnet_ids(), "SecurityGroupIds": v.security_group_ids() });
        }
        out.push(item("AWS::OpenSearch::Domain", &name, s.account, region, config).named(Some(&name)).arn(Some(d.arn().to_string())));
    }
    out
}
