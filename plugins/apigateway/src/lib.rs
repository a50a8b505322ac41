//! Built-in control plugin for Amazon API Gateway: REST API stages' execution logging,
//! backend client certificates, WAF, X-Ray tracing and cache encryption; REST, HTTP and
//! WebSocket APIs' authorization; HTTP and WebSocket API stages' access logs.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::{Item, Plugin, inventory_bool};
use serde_json::Value;

mod apigateway_restapi_authorizers_enabled;
mod apigateway_restapi_cache_encrypted;
mod apigateway_restapi_client_certificate_enabled;
mod apigateway_restapi_logging_enabled;
mod apigateway_restapi_tracing_enabled;
mod apigateway_restapi_waf_acl_attached;
mod apigatewayv2_api_access_logging_enabled;
mod apigatewayv2_api_authorizers_enabled;

/// AWS Config records REST API stages in the GetStage shape (camelCase: `tracingEnabled`,
/// `clientCertificateId`, `webAclArn`, `cacheClusterEnabled`, and `methodSettings` keyed by
/// `resourcePath/httpMethod`). The resource id is `restApiId/stageName`, the name
/// `api-name/stageName`.
const STAGE: &str = "AWS::ApiGateway::Stage";

/// A REST API in AWS Config's shape (`id`, `name`, `endpointConfiguration`) with what Config
/// does not record in its supplementary configuration, read by the collector:
/// `Authorizers` and `Methods` (`resourcePath`, `httpMethod`, `authorizationType`,
/// `authorizerId`, `apiKeyRequired`).
const REST_API: &str = "AWS::ApiGateway::RestApi";

/// An HTTP or WebSocket API (`apiId`, `name`, `protocolType`) with its supplementary
/// `Routes` (`routeKey`, `authorizationType`, `authorizerId`).
const V2_API: &str = "AWS::ApiGatewayV2::Api";

/// An HTTP or WebSocket API stage (`stageName`, `apiId`, `accessLogSettings` with
/// `destinationArn` and `format`, `defaultRouteSettings`); id `apiId/stageName`.
const V2_STAGE: &str = "AWS::ApiGatewayV2::Stage";

/// The `methodSettings` key of the stage-wide settings every method inherits.
const ALL_METHODS: &str = "*/*";

/// A stage's method settings as (key, settings) pairs; none when it has none (`{}`).
fn method_settings(stage: &Item) -> impl Iterator<Item = (&str, &Value)> {
    stage.config("/methodSettings").and_then(Value::as_object).into_iter().flatten().map(|(key, settings)| (key.as_str(), settings))
}

/// The settings of one `methodSettings` key (`*/*` for the stage-wide ones).
fn setting<'a>(stage: &'a Item, key: &str) -> Option<&'a Value> {
    stage.config("/methodSettings").and_then(|m| m.get(key))
}

/// A boolean in one method's settings.
fn setting_bool(settings: &Value, key: &str) -> Option<bool> {
    settings.get(key).and_then(inventory_bool)
}

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "apigateway",
    version: "1.1.0",
    checks: &[
        apigateway_restapi_logging_enabled::CHECK,
        apigateway_restapi_client_certificate_enabled::CHECK,
        apigateway_restapi_waf_acl_attached::CHECK,
        apigateway_restapi_tracing_enabled::CHECK,
        apigateway_restapi_cache_encrypted::CHECK,
        apigateway_restapi_authorizers_enabled::CHECK,
        apigatewayv2_api_authorizers_enabled::CHECK,
        apigatewayv2_api_access_logging_enabled::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
