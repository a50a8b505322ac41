//! CIS 4.3: a metric filter and alarm for usage of the 'root' account.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_log_metric_filter_root_usage",
    "4.3",
    "usage of the 'root' account",
    ["$.userIdentity.type=\"Root\"", "$.userIdentity.invokedBy NOT EXISTS", "$.eventType!=\"AwsServiceEvent\""]
);
