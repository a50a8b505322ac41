//! SNS of one region: topics as AWS Config records them, the topic's attributes
//! (`TopicArn`, `KmsMasterKeyId`, `Policy` as JSON text).

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::{Map, Value};

pub(crate) const SERVICE: &str = "sns";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::SNS::Topic") {
        return out;
    }
    let sns = client!(aws_sdk_sns, s);
    let region = s.region;
    let r = sns.list_topics().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for topic in out.call(SERVICE, region, "ListTopics", r).unwrap_or_default() {
        let Some(arn) = topic.topic_arn() else { continue };
        let r = sns.get_topic_attributes().topic_arn(arn).send().await;
        let Some(attrs) = out.call(SERVICE, region, &format!("GetTopicAttributes {arn}"), r) else { continue };
        let config: Map<String, Value> =
            attrs.attributes().into_iter().flatten().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        let name = arn.rsplit(':').next();
        out.push(item("AWS::SNS::Topic", arn, s.account, region, Value::Object(config)).named(name).arn(Some(arn.to_string())));
    }
    out
}
