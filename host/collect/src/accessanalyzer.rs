//! IAM Access Analyzer of one region: its analyzers (CloudFormation shape, as AWS Config
//! records `AWS::AccessAnalyzer::Analyzer`).

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "access-analyzer";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::AccessAnalyzer::Analyzer") {
        return out;
    }
    let aa = client!(aws_sdk_accessanalyzer, s);
    let r = aa.list_analyzers().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for a in out.call(SERVICE, s.region, "ListAnalyzers", r).unwrap_or_default() {
        let config = json!({ "AnalyzerName": a.name(), "Arn": a.arn(), "Type": a.r#type().as_str(), "Status": a.status().as_str() });
        out.push(
            item("AWS::AccessAnalyzer::Analyzer", a.arn(), s.account, s.region, config)
                .named(Some(a.name()))
                .arn(Some(a.arn().to_string())),
        );
    }
    out
}
