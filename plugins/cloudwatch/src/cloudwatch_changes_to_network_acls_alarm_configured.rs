//! CIS 4.11: a metric filter and alarm for changes to Network Access Control Lists (NACL).

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_changes_to_network_acls_alarm_configured",
    "4.11",
    "changes to Network Access Control Lists (NACL)",
    [
        "$.eventName=CreateNetworkAcl",
        "$.eventName=CreateNetworkAclEntry",
        "$.eventName=DeleteNetworkAcl",
        "$.eventName=DeleteNetworkAclEntry",
        "$.eventName=ReplaceNetworkAclEntry",
        "$.eventName=ReplaceNetworkAclAssociation"
    ]
);
