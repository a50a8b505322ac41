//! CloudWatch of one region: metric alarms (AWS Config's camelCase shape) and CloudWatch
//! Logs metric filters (our own type; Config does not record them), which together
//! decide the CIS monitoring checks; and log groups (AWS Config's camelCase
//! `AWS::Logs::LogGroup`: `retentionInDays`, `kmsKeyId`).

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "cloudwatch";
pub(crate) const LOGS_SERVICE: &str = "logs";

/// Metric alarms.
pub(crate) async fn alarms(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    let (account, region) = (s.account, s.region);
    if s.wants("AWS::CloudWatch::Alarm") {
        let cw = client!(aws_sdk_cloudwatch, s);
        let r = cw.describe_alarms().into_paginator().send().collect::<Result<Vec<_>, _>>().await;
        for page in out.call(SERVICE, region, "DescribeAlarms", r).unwrap_or_default() {
            for a in page.metric_alarms() {
                let name = a.alarm_name().unwrap_or_default();
                let config = json!({
                    "alarmName": name,
                    "alarmArn": a.alarm_arn(),
                    "metricName": a.metric_name(),
                    "namespace": a.namespace(),
                    "actionsEnabled": a.actions_enabled(),
                    "alarmActions": a.alarm_actions(),
                    "threshold": a.threshold(),
                    "comparisonOperator": a.comparison_operator().map(|c| c.as_str()),
                    "stateValue": a.state_value().map(|c| c.as_str()),
                });
                out.push(
                    item("AWS::CloudWatch::Alarm", name, account, region, config).named(Some(name)).arn(a.alarm_arn().map(str::to_string)),
                );
            }
        }
    }
    out
}

/// CloudWatch Logs: log groups and metric filters.
pub(crate) async fn logs(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    let (account, region) = (s.account, s.region);
    let logs = client!(aws_sdk_cloudwatchlogs, s);
    if s.wants("AWS::Logs::LogGroup") {
        let r = logs.describe_log_groups().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for g in out.call(LOGS_SERVICE, region, "DescribeLogGroups", r).unwrap_or_default() {
            let Some(name) = g.log_group_name() else { continue };
            // The ARN DescribeLogGroups gives ends in ":*"; Config's and the console's do not.
            let arn = g.arn().map(|a| a.trim_end_matches(":*").to_string());
            let config = json!({
                "logGroupName": name,
                "logGroupArn": arn,
                "retentionInDays": g.retention_in_days(),
                "kmsKeyId": g.kms_key_id(),
                "creationTime": g.creation_time(),
            });
            out.push(item("AWS::Logs::LogGroup", name, account, region, config).named(Some(name)).arn(arn));
        }
    }
    if s.wants("SecureBase::Logs::MetricFilter") {
        let r = logs.describe_metric_filters().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for f in out.call(LOGS_SERVICE, region, "DescribeMetricFilters", r).unwrap_or_default() {
            let (group, name) = (f.log_group_name().unwrap_or_default(), f.filter_name().unwrap_or_default());
            let config = json!({
                "logGroupName": group,
                "filterName": name,
                "filterPattern": f.filter_pattern(),
                "metricTransformations": f.metric_transformations().iter().map(|m| json!({
                    "metricName": m.metric_name(), "metricNamespace": m.metric_namespace(), "metricValue": m.metric_value(),
                })).collect::<Vec<_>>(),
            });
            out.push(item("SecureBase::Logs::MetricFilter", format!("{group}/{name}"), account, region, config));
        }
    }
    out
}
