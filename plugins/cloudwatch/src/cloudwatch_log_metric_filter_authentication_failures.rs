//! CIS 4.6: a metric filter and alarm for AWS Management Console authentication failures.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_log_metric_filter_authentication_failures",
    "4.6",
    "AWS Management Console authentication failures",
    ["$.eventName=ConsoleLogin", "$.errorMessage=\"Failed authentication\""]
);
