//! CIS 4.9: a metric filter and alarm for AWS Config configuration changes.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_log_metric_filter_and_alarm_for_aws_config_configuration_changes_enabled",
    "4.9",
    "AWS Config configuration changes",
    [
        "$.eventSource=config.amazonaws.com",
        "$.eventName=StopConfigurationRecorder",
        "$.eventName=DeleteDeliveryChannel",
        "$.eventName=PutDeliveryChannel",
        "$.eventName=PutConfigurationRecorder"
    ]
);
