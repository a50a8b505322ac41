//! CloudTrail of one region: the trails whose home is this region (multi-region trails
//! are emitted once, where they live), in the CloudFormation shape AWS Config records,
//! with logging status and event selectors.

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::{Value, json};

pub(crate) const SERVICE: &str = "cloudtrail";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::CloudTrail::Trail") {
        return out;
    }
    let ct = client!(aws_sdk_cloudtrail, s);
    let region = s.region;
    let r = ct.describe_trails().include_shadow_trails(false).send().await;
    let Some(trails) = out.call(SERVICE, region, "DescribeTrails", r) else { return out };
    for t in trails.trail_list() {
        let (Some(name), Some(arn)) = (t.name(), t.trail_arn()) else { continue };
        let status = ct.get_trail_status().name(arn).send().await;
        let selectors = ct.get_event_selectors().trail_name(arn).send().await;
        // Logging status and selectors decide the checks: a trail without them is not emitted.
        let (Some(status), Some(selectors)) = (
            out.call(SERVICE, region, &format!("GetTrailStatus {name}"), status),
            out.call(SERVICE, region, &format!("GetEventSelectors {name}"), selectors),
        ) else {
            continue;
        };
        let mut config = json!({
            "TrailName": name,
            "S3BucketName": t.s3_bucket_name(),
            "IsLogging": status.is_logging().unwrap_or(false),
            "IsMultiRegionTrail": t.is_multi_region_trail().unwrap_or(false),
            "IsOrganizationTrail": t.is_organization_trail().unwrap_or(false),
            "IncludeGlobalServiceEvents": t.include_global_service_events().unwrap_or(false),
            "EnableLogFileValidation": t.log_file_validation_enabled().unwrap_or(false),
        });
        for (key, value) in [
            ("KMSKeyId", t.kms_key_id()),
            ("CloudWatchLogsLogGroupArn", t.cloud_watch_logs_log_group_arn()),
            ("CloudWatchLogsRoleArn", t.cloud_watch_logs_role_arn()),
        ] {
            if let Some(v) = value {
                config[key] = json!(v);
            }
        }
        if !selectors.event_selectors().is_empty() {
            config["EventSelectors"] = selectors
                .event_selectors()
                .iter()
                .map(|e| {
                    json!({
                        "ReadWriteType": e.read_write_type().map(|r| r.as_str()),
                        "IncludeManagementEvents": e.include_management_events(),
                        "DataResources": e.data_resources().iter().map(|d| json!({ "Type": d.r#type(), "Values": d.values() })).collect::<Vec<_>>(),
                    })
                })
                .collect::<Vec<Value>>()
                .into();
        }
        if !selectors.advanced_event_selectors().is_empty() {
            config["AdvancedEventSelectors"] = selectors
                .advanced_event_selectors()
                .iter()
                .map(|a| {
                    json!({
                        "Name": a.name(),
                        "FieldSelectors": a.field_selectors().iter().map(|f| json!({
                            "Field": f.field(), "Equals": f.equals(), "StartsWith": f.starts_with(), "NotEquals": f.not_equals(),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect::<Vec<Value>>()
                .into();
        }
        out.push(item("AWS::CloudTrail::Trail", arn, s.account, region, config).named(Some(name)).arn(Some(arn.to_string())));
    }
    out
}
