//! Every route of an API Gateway HTTP API, and the `$connect` route of a WebSocket API,
//! asks its caller to authenticate.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "apigatewayv2_api_authorizers_enabled",
        title: "API Gateway HTTP and WebSocket API routes require authorization",
        severity: Severity::Medium,
        resource_types: &[crate::V2_API],
        rationale: "A route whose authorization type is NONE answers anyone who finds the endpoint, and the integration behind it sees no caller identity. An HTTP API judges each route; a WebSocket API authorizes only when the connection opens, so its $connect route is the one that must ask.",
        remediation: "Attach an authorizer to every route: aws apigatewayv2 update-route --api-id API_ID --route-id ROUTE_ID --authorization-type JWT --authorizer-id AUTHORIZER_ID (or AWS_IAM, or CUSTOM for a Lambda authorizer); for a WebSocket API, the $connect route.",
        references: &[
            reference("aws-config-rule", "API_GWV2_AUTHORIZATION_TYPE_CONFIGURED"),
            reference("prowler", "apigatewayv2_api_authorizers_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for api in inv.items(crate::V2_API).iter() {
        let name = api.name();
        let Some(routes) = api.supplementary("/Routes").and_then(Value::as_array) else {
            out.error(api, format!("API {name}: its routes were not recorded."));
            continue;
        };
        let websocket = api.config_str("/protocolType").is_some_and(|p| p.eq_ignore_ascii_case("WEBSOCKET"));
        let key = |r: &&Value| r["routeKey"].as_str().unwrap_or("?").to_string();
        // A WebSocket API authorizes the connection, on $connect; an HTTP API's CORS
        // preflight (OPTIONS) routes cannot ask a browser for credentials.
        let judged: Vec<&Value> = routes
            .iter()
            .filter(|r| if websocket { key(r) == "$connect" } else { !key(r).to_ascii_uppercase().starts_with("OPTIONS ") })
            .collect();
        if judged.is_empty() {
            let what = if websocket { "no $connect route" } else { "no routes but CORS preflight ones" };
            out.not_applicable(api, format!("API {name} has {what}: nothing to authorize."));
            continue;
        }
        let open: Vec<String> = judged
            .iter()
            .filter(|r| r["authorizationType"].as_str().is_none_or(|t| t.is_empty() || t.eq_ignore_ascii_case("NONE")))
            .map(key)
            .collect();
        if open.is_empty() {
            out.pass(api, format!("All {} judged routes of API {name} require authorization.", judged.len()));
        } else {
            out.fail(api, format!("API {name}: {} of {} routes require no authorization: {}.", open.len(), judged.len(), open.join(", ")));
        }
    }
}
