//! API Gateway REST API stages have X-Ray tracing enabled.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "apigateway_restapi_tracing_enabled",
        title: "API Gateway REST API stages have AWS X-Ray tracing enabled",
        severity: Severity::Low,
        resource_types: &[crate::STAGE],
        rationale: "X-Ray active tracing follows sampled requests from the stage through its integrations (Lambda, other AWS services, HTTP backends), showing where errors and latency arise and which downstream calls a suspicious request made; it is off by default.",
        remediation: "aws apigateway update-stage --rest-api-id API_ID --stage-name STAGE --patch-operations op=replace,path=/tracingEnabled,value=true",
        references: &[reference("aws-config-rule", "API_GW_XRAY_ENABLED"), reference("prowler", "apigateway_restapi_tracing_enabled")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for stage in inv.items(crate::STAGE).iter() {
        let name = stage.name();
        // Off is the default when the flag is not recorded.
        out.verdict(
            stage,
            stage.config_bool("/tracingEnabled") == Some(true),
            format!("Stage {name} has X-Ray tracing enabled."),
            format!("Stage {name} does not have X-Ray tracing enabled."),
        );
    }
}
