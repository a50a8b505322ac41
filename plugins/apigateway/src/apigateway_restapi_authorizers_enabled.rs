//! Every method of an API Gateway REST API asks its caller to authenticate.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "apigateway_restapi_authorizers_enabled",
        title: "API Gateway REST API methods require authorization (IAM, Cognito or a Lambda authorizer)",
        severity: Severity::Medium,
        resource_types: &[crate::REST_API],
        rationale: "A method whose authorization type is NONE answers anyone who finds the endpoint: the backend behind it sees no caller identity, so it cannot tell a customer from a scraper, and every request an attacker makes is as good as a legitimate one. Authentication at the gateway stops unauthenticated requests before they cost a Lambda invocation or reach data.",
        remediation: "Give every method an authorizer: aws apigateway update-method --rest-api-id API_ID --resource-id RESOURCE_ID --http-method GET --patch-operations op=replace,path=/authorizationType,value=AWS_IAM (or COGNITO_USER_POOLS / CUSTOM with path=/authorizerId), then create a deployment so the stage serves the change. CORS preflight (OPTIONS) methods are not judged.",
        references: &[
            reference("prowler", "apigateway_restapi_authorizers_enabled"),
            reference("url", "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for api in inv.items(crate::REST_API).iter() {
        let name = api.name();
        let Some(methods) = api.supplementary("/Methods").and_then(Value::as_array) else {
            out.error(api, format!("REST API {name}: its methods were not recorded."));
            continue;
        };
        // Browsers send CORS preflight requests without credentials, so an OPTIONS method
        // cannot require them.
        let judged: Vec<&Value> =
            methods.iter().filter(|m| !m["httpMethod"].as_str().is_some_and(|v| v.eq_ignore_ascii_case("OPTIONS"))).collect();
        if judged.is_empty() {
            out.not_applicable(api, format!("REST API {name} has no methods but CORS preflight ones: nothing answers a request."));
            continue;
        }
        let open: Vec<String> = judged
            .iter()
            .filter(|m| m["authorizationType"].as_str().is_none_or(|t| t.is_empty() || t.eq_ignore_ascii_case("NONE")))
            .map(|m| format!("{} {}", m["httpMethod"].as_str().unwrap_or("?"), m["resourcePath"].as_str().unwrap_or("?")))
            .collect();
        if open.is_empty() {
            out.pass(api, format!("All {} methods of REST API {name} require authorization.", judged.len()));
        } else {
            out.fail(
                api,
                format!("REST API {name}: {} of {} methods require no authorization: {}.", open.len(), judged.len(), open.join(", ")),
            );
        }
    }
}
