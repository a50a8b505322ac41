//! CIS 4.4: a metric filter and alarm for IAM policy changes.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_log_metric_filter_policy_changes",
    "4.4",
    "IAM policy changes",
    [
        "$.eventName=DeleteGroupPolicy",
        "$.eventName=DeleteRolePolicy",
        "$.eventName=DeleteUserPolicy",
        "$.eventName=PutGroupPolicy",
        "$.eventName=PutRolePolicy",
        "$.eventName=PutUserPolicy",
        "$.eventName=CreatePolicy",
        "$.eventName=DeletePolicy",
        "$.eventName=CreatePolicyVersion",
        "$.eventName=DeletePolicyVersion",
        "$.eventName=AttachRolePolicy",
        "$.eventName=DetachRolePolicy",
        "$.eventName=AttachUserPolicy",
        "$.eventName=DetachUserPolicy",
        "$.eventName=AttachGroupPolicy",
        "$.eventName=DetachGroupPolicy"
    ]
);
