//! API Gateway (REST APIs) of one region: every stage in AWS Config's camelCase
//! `AWS::ApiGateway::Stage` shape (`methodSettings` keyed by `resource/method`,
//! `clientCertificateId`, `tracingEnabled`, `webAclArn`).

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::{Map, Value, json};

pub(crate) const SERVICE: &str = "apigateway";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::ApiGateway::Stage") {
        return out;
    }
    let api = client!(aws_sdk_apigateway, s);
    let region = s.region;
    let r = api.get_rest_apis().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for rest in out.call(SERVICE, region, "GetRestApis", r).unwrap_or_default() {
        let Some(api_id) = rest.id() else { continue };
        let api_name = rest.name().unwrap_or(api_id);
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
    out
}
