//! SQS of one region: queues as AWS Config records them, the queue's attributes with
//! every value a string (`KmsMasterKeyId`, `SqsManagedSseEnabled`, `Policy` as JSON text).

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{Map, Value};

pub(crate) const SERVICE: &str = "sqs";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::SQS::Queue") {
        return out;
    }
    let sqs = client!(aws_sdk_sqs, s);
    let region = s.region;
    let r = sqs.list_queues().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for url in out.call(SERVICE, region, "ListQueues", r).unwrap_or_default() {
        let r = sqs.get_queue_attributes().queue_url(&url).attribute_names(QueueAttributeName::All).send().await;
        let Some(attrs) = out.call(SERVICE, region, &format!("GetQueueAttributes {url}"), r) else { continue };
        let mut config: Map<String, Value> =
            attrs.attributes().into_iter().flatten().map(|(k, v)| (k.as_str().to_string(), Value::String(v.clone()))).collect();
        config.insert("QueueUrl".into(), Value::String(url.clone()));
        let arn = config.get("QueueArn").and_then(Value::as_str).map(str::to_string);
        let name = url.rsplit('/').next().map(str::to_string);
        out.push(item("AWS::SQS::Queue", &url, s.account, region, Value::Object(config)).named(name.as_deref()).arn(arn));
    }
    out
}
