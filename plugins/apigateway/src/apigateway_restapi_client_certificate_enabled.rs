//! API Gateway REST API stages authenticate to their backends with a client certificate.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "apigateway_restapi_client_certificate_enabled",
        title: "API Gateway REST API stages use a client certificate for backend authentication",
        severity: Severity::Medium,
        resource_types: &[crate::STAGE],
        rationale: "With a client certificate on the stage, API Gateway presents it to HTTP and HTTP proxy integrations, so the backend can verify that a request came through the gateway (with its authorizers, throttling and WAF) and refuse everyone who calls it directly. The integrations' types are not collected, so a stage whose methods only call Lambda or AWS services is judged too.",
        remediation: "aws apigateway generate-client-certificate --description 'API_NAME STAGE', then aws apigateway update-stage --rest-api-id API_ID --stage-name STAGE --patch-operations op=replace,path=/clientCertificateId,value=CERTIFICATE_ID, and configure the backend to accept only that certificate (aws apigateway get-client-certificate --client-certificate-id CERTIFICATE_ID returns its PEM).",
        references: &[
            reference("aws-config-rule", "API_GW_SSL_ENABLED"),
            reference("prowler", "apigateway_restapi_client_certificate_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for stage in inv.items(crate::STAGE).iter() {
        let name = stage.name();
        match stage.config_str("/clientCertificateId").map(str::trim).filter(|id| !id.is_empty()) {
            Some(id) => out.pass(stage, format!("Stage {name} presents client certificate {id} to its backends.")),
            None => out.fail(
                stage,
                format!("Stage {name} has no client certificate, so its backends cannot tell its requests from direct calls."),
            ),
        }
    }
}
