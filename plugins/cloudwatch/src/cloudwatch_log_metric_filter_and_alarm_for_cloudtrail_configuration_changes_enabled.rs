//! CIS 4.5: a metric filter and alarm for CloudTrail configuration changes.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_log_metric_filter_and_alarm_for_cloudtrail_configuration_changes_enabled",
    "4.5",
    "CloudTrail configuration changes",
    [
        "$.eventName=CreateTrail",
        "$.eventName=UpdateTrail",
        "$.eventName=DeleteTrail",
        "$.eventName=StartLogging",
        "$.eventName=StopLogging"
    ]
);
