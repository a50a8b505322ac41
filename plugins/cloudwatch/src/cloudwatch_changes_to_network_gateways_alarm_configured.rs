//! CIS 4.12: a metric filter and alarm for changes to network gateways.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_changes_to_network_gateways_alarm_configured",
    "4.12",
    "changes to network gateways",
    [
        "$.eventName=CreateCustomerGateway",
        "$.eventName=DeleteCustomerGateway",
        "$.eventName=AttachInternetGateway",
        "$.eventName=CreateInternetGateway",
        "$.eventName=DeleteInternetGateway",
        "$.eventName=DetachInternetGateway"
    ]
);
