//! The shared logic of the CIS monitoring checks: is there a metric filter on the log
//! group of a multi-region, logging CloudTrail trail whose pattern contains every
//! required term, and an alarm with an action on the filter's metric?
//!
//! Patterns are compared after removing whitespace and double quotes and lower-casing,
//! so `{ ($.eventName = "CreateTrail") }` and `{($.eventName=CreateTrail)}` match alike;
//! terms may appear in any order and extra terms are allowed, as in CIS's audit steps.

use securebase_plugin_sdk::resource_types::ACCOUNT;
use securebase_plugin_sdk::{Findings, Inventory, Item};
use serde_json::Value;

const TRAIL: &str = "AWS::CloudTrail::Trail";
/// Our own resource type: `DescribeMetricFilters` entries (AWS Config records none).
pub const METRIC_FILTER: &str = "SecureBase::Logs::MetricFilter";
const ALARM: &str = "AWS::CloudWatch::Alarm";

fn normalize(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '"').flat_map(char::to_lowercase).collect()
}

/// `arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*` to `NAME`.
fn log_group_name(arn: &str) -> Option<&str> {
    arn.split_once(":log-group:").map(|(_, rest)| rest.strip_suffix(":*").unwrap_or(rest))
}

fn has_action(alarm: &Item) -> bool {
    alarm.config_bool("/actionsEnabled") != Some(false)
        && alarm.config("/alarmActions").and_then(Value::as_array).is_some_and(|a| !a.is_empty())
}

/// Evaluates one monitoring recommendation (`what` names it in messages).
pub fn evaluate(inv: &Inventory, out: &mut Findings, what: &str, terms: &[&str]) {
    let groups: Vec<String> = inv
        .items(TRAIL)
        .iter()
        .filter(|t| t.config_bool("/IsLogging") == Some(true) && t.config_bool("/IsMultiRegionTrail") == Some(true))
        .filter_map(|t| t.config_str("/CloudWatchLogsLogGroupArn").and_then(log_group_name).map(str::to_string))
        .collect();
    let terms: Vec<String> = terms.iter().map(|t| normalize(t)).collect();
    let filters = inv.items(METRIC_FILTER);
    let matching: Vec<&Item> = filters
        .iter()
        .filter(|f| f.config_str("/logGroupName").is_some_and(|g| groups.iter().any(|x| x == g)))
        .filter(|f| f.config_str("/filterPattern").map(normalize).is_some_and(|p| terms.iter().all(|t| p.contains(t.as_str()))))
        .collect();
    let alarms = inv.items(ALARM);
    let alarmed = matching.iter().find_map(|f| {
        let metrics = f.config("/metricTransformations").and_then(Value::as_array)?;
        metrics.iter().find_map(|m| {
            let (name, ns) = (m.get("metricName")?.as_str()?, m.get("metricNamespace")?.as_str()?);
            alarms
                .iter()
                .find(|a| a.config_str("/metricName") == Some(name) && a.config_str("/namespace") == Some(ns) && has_action(a))
                .map(|a| (f.config_str("/filterName").unwrap_or("?").to_string(), a.name().to_string()))
        })
    });
    let verdict: Result<String, String> = if groups.is_empty() {
        Err("no multi-region trail that is logging delivers to CloudWatch Logs".into())
    } else if matching.is_empty() {
        Err(format!("no metric filter on {} matches {what}", groups.join(", ")))
    } else {
        match alarmed {
            Some((filter, alarm)) => Ok(format!("metric filter {filter} and alarm {alarm} watch for {what}")),
            None => Err(format!("the metric filter for {what} has no alarm with an action")),
        }
    };
    for account in inv.items(ACCOUNT).iter() {
        match &verdict {
            Ok(m) => out.pass(account, format!("{}{}.", m[..1].to_uppercase(), &m[1..])),
            Err(m) => out.fail(account, format!("{}{}.", m[..1].to_uppercase(), &m[1..])),
        }
    }
}

/// Declares one monitoring check.
macro_rules! monitor_check {
    ($id:literal, $cis:literal, $what:literal, [$($term:literal),+ $(,)?]) => {
        securebase_plugin_sdk::Check {
            meta: securebase_plugin_sdk::CheckMeta {
                id: $id,
                title: concat!("A log metric filter and alarm exist for ", $what),
                severity: securebase_plugin_sdk::Severity::Medium,
                resource_types: &[securebase_plugin_sdk::resource_types::ACCOUNT],
                rationale: concat!("Alerting on ", $what, " turns CloudTrail from an archive into an early warning."),
                remediation: concat!(
                    "Create a metric filter on the CloudTrail log group with a pattern covering ", $what,
                    ", a CloudWatch alarm on its metric, and an SNS topic with subscribers as the alarm action (CIS ", $cis, " gives the exact pattern)."
                ),
                references: &[
                    securebase_plugin_sdk::reference("aws-config-rule", "CLOUDWATCH_ALARM_ACTION_CHECK"),
                    securebase_plugin_sdk::reference("prowler", $id),
                    securebase_plugin_sdk::reference("cis", $cis),
                ],
            },
            run: |inv, out| crate::monitoring::evaluate(inv, out, $what, &[$($term),+]),
        }
    };
}
pub(crate) use monitor_check;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_ignores_spacing_quotes_and_case() {
        assert_eq!(normalize(r#"{ ($.eventName = "CreateTrail") }"#), normalize("{($.eventname=CreateTrail)}"));
        assert_eq!(log_group_name("arn:aws:logs:us-east-1:1:log-group:CloudTrail/org:*"), Some("CloudTrail/org"));
        assert_eq!(log_group_name("nonsense"), None);
    }
}
