//! CIS 4.13: a metric filter and alarm for route table changes.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_changes_to_network_route_tables_alarm_configured",
    "4.13",
    "route table changes",
    [
        "$.eventName=CreateRoute",
        "$.eventName=CreateRouteTable",
        "$.eventName=ReplaceRoute",
        "$.eventName=ReplaceRouteTableAssociation",
        "$.eventName=DeleteRouteTable",
        "$.eventName=DeleteRoute",
        "$.eventName=DisassociateRouteTable"
    ]
);
