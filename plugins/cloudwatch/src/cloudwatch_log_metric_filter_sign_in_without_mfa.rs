//! CIS 4.2: a metric filter and alarm for Management Console sign-in without MFA.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_log_metric_filter_sign_in_without_mfa",
    "4.2",
    "Management Console sign-in without MFA",
    ["$.eventName=\"ConsoleLogin\"", "$.additionalEventData.MFAUsed!=\"Yes\""]
);
