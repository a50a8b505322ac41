//! CIS 4.14: a metric filter and alarm for VPC changes.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_changes_to_vpcs_alarm_configured",
    "4.14",
    "VPC changes",
    [
        "$.eventName=CreateVpc",
        "$.eventName=DeleteVpc",
        "$.eventName=ModifyVpcAttribute",
        "$.eventName=AcceptVpcPeeringConnection",
        "$.eventName=CreateVpcPeeringConnection",
        "$.eventName=DeleteVpcPeeringConnection",
        "$.eventName=RejectVpcPeeringConnection",
        "$.eventName=AttachClassicLinkVpc",
        "$.eventName=DetachClassicLinkVpc",
        "$.eventName=DisableVpcClassicLink",
        "$.eventName=EnableVpcClassicLink"
    ]
);
