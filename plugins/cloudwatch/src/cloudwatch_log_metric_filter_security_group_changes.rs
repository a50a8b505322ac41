//! CIS 4.10: a metric filter and alarm for security group changes.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_log_metric_filter_security_group_changes",
    "4.10",
    "security group changes",
    [
        "$.eventName=AuthorizeSecurityGroupIngress",
        "$.eventName=AuthorizeSecurityGroupEgress",
        "$.eventName=RevokeSecurityGroupIngress",
        "$.eventName=RevokeSecurityGroupEgress",
        "$.eventName=CreateSecurityGroup",
        "$.eventName=DeleteSecurityGroup"
    ]
);
