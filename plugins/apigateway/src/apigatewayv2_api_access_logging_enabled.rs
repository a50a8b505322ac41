//! API Gateway HTTP and WebSocket API stages write access logs.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "apigatewayv2_api_access_logging_enabled",
        title: "API Gateway HTTP and WebSocket API stages have access logging enabled",
        severity: Severity::Medium,
        resource_types: &[crate::V2_STAGE],
        rationale: "Access logs record who called which route, from where, and what the API answered; without them an investigation of abuse or a data leak through the API has no record of the requests, and usage anomalies go unnoticed.",
        remediation: "aws apigatewayv2 update-stage --api-id API_ID --stage-name STAGE --access-log-settings DestinationArn=arn:aws:logs:REGION:ACCOUNT:log-group:NAME,Format='$context.requestId $context.identity.sourceIp $context.routeKey $context.status' (the log group must exist).",
        references: &[
            reference("aws-config-rule", "API_GWV2_ACCESS_LOGS_ENABLED"),
            reference("prowler", "apigatewayv2_api_access_logging_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for stage in inv.items(crate::V2_STAGE).iter() {
        let name = stage.name();
        match stage.config_str("/accessLogSettings/destinationArn").map(str::trim).filter(|arn| !arn.is_empty()) {
            Some(arn) => out.pass(stage, format!("Stage {name} writes access logs to {arn}.")),
            None => out.fail(stage, format!("Stage {name} writes no access logs.")),
        }
    }
}
