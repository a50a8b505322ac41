//! API Gateway of one region. REST APIs (v1): every stage in AWS Config's camelCase
//! `AWS::ApiGateway::Stage` shape (`methodSettings` keyed by `resource/method`,
//! `clientCertificateId`, `tracingEnabled`, `webAclArn`), and every API as
//! `AWS::ApiGateway::RestApi` (`id`, `name`, `endpointConfiguration`) with what AWS
//! Config does not record in its supplementary configuration: `Authorizers` and
//! `Methods` (`resourcePath`, `httpMethod`, `authorizationType`, `apiKeyRequired`). HTTP
//! and WebSocket APIs (v2): every API as `AWS::ApiGatewayV2::Api` with its supplementary
//! `Routes` (`routeKey`, `authorizationType`), and every stage as
//! `AWS::ApiGatewayV2::Stage` (`accessLogSettings`). Config is never the source of these
//! types, so the supplementary keys are always there.

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::{Map, Value, json};

pub(crate) const SERVICE: &str = "apigateway";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if s.wants("AWS::ApiGateway::Stage") || s.wants("AWS::ApiGateway::RestApi") {
        rest_apis(s, &mut out).await;
    }
    if s.wants("AWS::ApiGatewayV2::Api") || s.wants("AWS::ApiGatewayV2::Stage") {
        http_apis(s, &mut out).await;
    }
    out
}

async fn rest_apis(s: &Scope<'_>, out: &mut Sink) {
    let api = client!(aws_sdk_apigateway, s);
    let region = s.region;
    let r = api.get_rest_apis().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for rest in out.call(SERVICE, region, "GetRestApis", r).unwrap_or_default() {
        let Some(api_id) = rest.id() else { continue };
        let api_name = rest.name().unwrap_or(api_id);
        if s.wants("AWS::ApiGateway::RestApi") {
            rest_api(s, &api, &rest, out).await;
        }
        if !s.wants("AWS::ApiGateway::Stage") {
            continue;
        }
        let r = api.get_stages().rest_api_id(api_id).send().await;
        let Some(stages) = out.call(SERVICE, region, &format!("GetStages {api_id}"), r) else { continue };
        for stage in stages.item() {
            let Some(stage_name) = stage.stage_name() else { continue };
            let settings: Map<String, Value> = stage
                .method_settings()
                .into_iter()
                .flatten()
                .map(|(path, m)| {
                    let setting = json!({
                        "loggingLevel": m.logging_level(),
                        "metricsEnabled": m.metrics_enabled(),
                        "dataTraceEnabled": m.data_trace_enabled(),
                        "cachingEnabled": m.caching_enabled(),
                        "cacheDataEncrypted": m.cache_data_encrypted(),
                    });
                    (path.clone(), setting)
                })
                .collect();
            let config = json!({
                "stageName": stage_name,
                "restApiId": api_id,
                "restApiName": api_name,
                "deploymentId": stage.deployment_id(),
                "clientCertificateId": stage.client_certificate_id(),
                "tracingEnabled": stage.tracing_enabled(),
                "webAclArn": stage.web_acl_arn(),
                "cacheClusterEnabled": stage.cache_cluster_enabled(),
                "methodSettings": settings,
            });
            let id = format!("{api_id}/{stage_name}");
            let arn = format!("arn:aws:apigateway:{region}::/restapis/{api_id}/stages/{stage_name}");
            out.push(
                item("AWS::ApiGateway::Stage", &id, s.account, region, config)
                    .named(Some(&format!("{api_name}/{stage_name}")))
                    .arn(Some(arn))
                    .tags(stage.tags().into_iter().flatten().map(|(k, v)| (k.as_str(), v.as_str()))),
            );
        }
    }
}

/// One REST API with its authorizers and every method of every resource. Emitted only
/// when both were read: a partial list of methods could hide the open one.
async fn rest_api(s: &Scope<'_>, api: &aws_sdk_apigateway::Client, rest: &aws_sdk_apigateway::types::RestApi, out: &mut Sink) {
    let region = s.region;
    let Some(api_id) = rest.id() else { return };
    let r = api.get_authorizers().rest_api_id(api_id).limit(500).send().await;
    let Some(authorizers) = out.call(SERVICE, region, &format!("GetAuthorizers {api_id}"), r) else { return };
    let r = api.get_resources().rest_api_id(api_id).embed("methods").into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    let Some(resources) = out.call(SERVICE, region, &format!("GetResources {api_id}"), r) else { return };
    let authorizers: Vec<Value> =
        authorizers.items().iter().map(|a| json!({ "id": a.id(), "name": a.name(), "type": a.r#type().map(|t| t.as_str()) })).collect();
    let mut methods: Vec<Value> = resources
        .iter()
        .flat_map(|resource| {
            resource.resource_methods().into_iter().flatten().map(|(verb, m)| {
                json!({
                    "resourcePath": resource.path(),
                    "httpMethod": m.http_method().unwrap_or(verb),
                    "authorizationType": m.authorization_type(),
                    "authorizerId": m.authorizer_id(),
                    "apiKeyRequired": m.api_key_required(),
                })
            })
        })
        .collect();
    // Resources come in no fixed order; the item should not change when nothing did.
    methods.sort_by_key(|m| (m["resourcePath"].to_string(), m["httpMethod"].to_string()));
    let endpoint_types: Vec<&str> =
        rest.endpoint_configuration().map(|e| e.types().iter().map(|t| t.as_str()).collect()).unwrap_or_default();
    let config = json!({ "id": api_id, "name": rest.name(), "endpointConfiguration": { "types": endpoint_types } });
    out.push(
        item("AWS::ApiGateway::RestApi", api_id, s.account, region, config)
            .supplementary(json!({ "Authorizers": authorizers, "Methods": methods }))
            .named(rest.name())
            .arn(Some(format!("arn:aws:apigateway:{region}::/restapis/{api_id}")))
            .tags(rest.tags().into_iter().flatten().map(|(k, v)| (k.as_str(), v.as_str()))),
    );
}

async fn http_apis(s: &Scope<'_>, out: &mut Sink) {
    let v2 = client!(aws_sdk_apigatewayv2, s);
    let region = s.region;
    let r = all_pages(|t| v2.get_apis().set_next_token(t).send(), |p| (p.items().to_vec(), p.next_token())).await;
    let Some(apis) = out.call(SERVICE, region, "GetApis", r) else { return };
    for a in &apis {
        let Some(api_id) = a.api_id() else { continue };
        let api_name = a.name().unwrap_or(api_id);
        if s.wants("AWS::ApiGatewayV2::Api") {
            let r = all_pages(|t| v2.get_routes().api_id(api_id).set_next_token(t).send(), |p| (p.items().to_vec(), p.next_token())).await;
            if let Some(routes) = out.call(SERVICE, region, &format!("GetRoutes {api_id}"), r) {
                let mut routes: Vec<Value> = routes
                    .iter()
                    .map(|r| {
                        json!({
                            "routeKey": r.route_key(),
                            "authorizationType": r.authorization_type().map(|t| t.as_str()),
                            "authorizerId": r.authorizer_id(),
                            "apiKeyRequired": r.api_key_required(),
                        })
                    })
                    .collect();
                routes.sort_by_key(|r| r["routeKey"].to_string());
                let config = json!({
                    "apiId": api_id,
                    "name": a.name(),
                    "protocolType": a.protocol_type().map(|p| p.as_str()),
                    "apiEndpoint": a.api_endpoint(),
                    "disableExecuteApiEndpoint": a.disable_execute_api_endpoint(),
                });
                out.push(
                    item("AWS::ApiGatewayV2::Api", api_id, s.account, region, config)
                        .supplementary(json!({ "Routes": routes }))
                        .named(a.name())
                        .arn(Some(format!("arn:aws:apigateway:{region}::/apis/{api_id}")))
                        .tags(a.tags().into_iter().flatten().map(|(k, v)| (k.as_str(), v.as_str()))),
                );
            }
        }
        if s.wants("AWS::ApiGatewayV2::Stage") {
            let r = all_pages(|t| v2.get_stages().api_id(api_id).set_next_token(t).send(), |p| (p.items().to_vec(), p.next_token())).await;
            for stage in out.call(SERVICE, region, &format!("GetStages {api_id}"), r).unwrap_or_default() {
                let Some(stage_name) = stage.stage_name() else { continue };
                let access_log =
                    stage.access_log_settings().map(|l| json!({ "destinationArn": l.destination_arn(), "format": l.format() }));
                let config = json!({
                    "stageName": stage_name,
                    "apiId": api_id,
                    "apiName": api_name,
                    "autoDeploy": stage.auto_deploy(),
                    "accessLogSettings": access_log,
                    "defaultRouteSettings": stage.default_route_settings().map(|d| json!({
                        "loggingLevel": d.logging_level().map(|l| l.as_str()),
                        "detailedMetricsEnabled": d.detailed_metrics_enabled(),
                        "throttlingBurstLimit": d.throttling_burst_limit(),
                        "throttlingRateLimit": d.throttling_rate_limit(),
                    })),
                });
                out.push(
                    item("AWS::ApiGatewayV2::Stage", format!("{api_id}/{stage_name}"), s.account, region, config)
                        .named(Some(&format!("{api_name}/{stage_name}")))
                        .arn(Some(format!("arn:aws:apigateway:{region}::/apis/{api_id}/stages/{stage_name}")))
                        .tags(stage.tags().into_iter().flatten().map(|(k, v)| (k.as_str(), v.as_str()))),
                );
            }
        }
    }
}

/// Every page of an API Gateway v2 listing (the SDK has no paginator for them): the
/// items of all pages, or the first failure.
async fn all_pages<T, P, E, F, Fut>(
    mut send: F,
    split: impl Fn(&P) -> (Vec<T>, Option<&str>),
) -> Result<Vec<T>, aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<
            Output = Result<
                P,
                aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
            >,
        >,
{
    let mut items = Vec::new();
    let mut token = None;
    loop {
        let page = send(token.take()).await?;
        let (more, next) = split(&page);
        items.extend(more);
        match next {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(items),
        }
    }
}
