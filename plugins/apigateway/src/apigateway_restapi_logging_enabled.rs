//! API Gateway REST API stages log executions to CloudWatch Logs.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "apigateway_restapi_logging_enabled",
        title: "API Gateway REST API stages have execution logging enabled",
        severity: Severity::Medium,
        resource_types: &[crate::STAGE],
        rationale: "Execution logs record each request's way through the stage (authorizer decisions, integration requests and responses, errors), which is what spotting abuse of an API and investigating an incident need. Logging is off unless the stage sets loggingLevel to ERROR or INFO for all methods (*/*), and a method that overrides it with OFF is a blind spot, so that fails too, as in AWS Config's rule.",
        remediation: "Give API Gateway a CloudWatch Logs role once per region (aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=ROLE_ARN), then aws apigateway update-stage --rest-api-id API_ID --stage-name STAGE --patch-operations 'op=replace,path=/*/*/logging/loglevel,value=ERROR', and remove method overrides that set the level to OFF.",
        references: &[
            reference("aws-config-rule", "API_GW_EXECUTION_LOGGING_ENABLED"),
            reference("prowler", "apigateway_restapi_logging_enabled"),
        ],
    },
    run,
};

/// Whether a logging level sends execution logs.
fn logs(level: &str) -> bool {
    level.eq_ignore_ascii_case("ERROR") || level.eq_ignore_ascii_case("INFO")
}

/// A method's logging level, if its settings name one.
fn level(settings: &Value) -> Option<&str> {
    settings.get("loggingLevel").and_then(Value::as_str)
}

fn run(inv: &Inventory, out: &mut Findings) {
    for stage in inv.items(crate::STAGE).iter() {
        let name = stage.name();
        let Some(stage_wide) = crate::setting(stage, crate::ALL_METHODS) else {
            out.fail(stage, format!("Stage {name} has no stage-wide method settings, so execution logging is off (the default)."));
            continue;
        };
        let default_level = level(stage_wide).unwrap_or("OFF");
        if !logs(default_level) {
            out.fail(stage, format!("Stage {name} has execution logging off (loggingLevel {default_level})."));
            continue;
        }
        let silent: Vec<&str> = crate::method_settings(stage)
            .filter(|(key, settings)| *key != crate::ALL_METHODS && level(settings).is_some_and(|l| !logs(l)))
            .map(|(key, _)| key)
            .collect();
        out.verdict(
            stage,
            silent.is_empty(),
            format!("Stage {name} logs executions at level {default_level}."),
            format!("Stage {name} logs executions at level {default_level} but turns logging off for {}.", silent.join(", ")),
        );
    }
}
