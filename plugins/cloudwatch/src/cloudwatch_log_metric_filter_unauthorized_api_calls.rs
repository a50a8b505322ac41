//! CIS 4.1: a metric filter and alarm for unauthorized API calls.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_log_metric_filter_unauthorized_api_calls",
    "4.1",
    "unauthorized API calls",
    ["$.errorCode=\"*UnauthorizedOperation\"", "$.errorCode=\"AccessDenied*\""]
);
