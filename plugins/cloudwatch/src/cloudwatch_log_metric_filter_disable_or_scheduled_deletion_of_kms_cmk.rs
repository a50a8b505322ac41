//! CIS 4.7: a metric filter and alarm for disabling or scheduled deletion of customer created KMS keys.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_log_metric_filter_disable_or_scheduled_deletion_of_kms_cmk",
    "4.7",
    "disabling or scheduled deletion of customer created KMS keys",
    ["$.eventSource=kms.amazonaws.com", "$.eventName=DisableKey", "$.eventName=ScheduleKeyDeletion"]
);
