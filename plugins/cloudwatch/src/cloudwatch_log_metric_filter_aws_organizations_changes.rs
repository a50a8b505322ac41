//! CIS 4.15: a metric filter and alarm for AWS Organizations changes.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_log_metric_filter_aws_organizations_changes",
    "4.15",
    "AWS Organizations changes",
    [
        "$.eventSource=organizations.amazonaws.com",
        "$.eventName=AcceptHandshake",
        "$.eventName=AttachPolicy",
        "$.eventName=CreateAccount",
        "$.eventName=CreateOrganizationalUnit",
        "$.eventName=CreatePolicy",
        "$.eventName=DeclineHandshake",
        "$.eventName=DeleteOrganization",
        "$.eventName=DeleteOrganizationalUnit",
        "$.eventName=DeletePolicy",
        "$.eventName=DetachPolicy",
        "$.eventName=DisablePolicyType",
        "$.eventName=EnablePolicyType",
        "$.eventName=InviteAccountToOrganization",
        "$.eventName=LeaveOrganization",
        "$.eventName=MoveAccount",
        "$.eventName=RemoveAccountFromOrganization",
        "$.eventName=UpdatePolicy",
        "$.eventName=UpdateOrganizationalUnit"
    ]
);
