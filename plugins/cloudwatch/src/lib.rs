//! Built-in control plugin for Amazon CloudWatch: the CIS monitoring recommendations
//! (4.1 to 4.15), each a metric filter on the CloudTrail log group plus an alarm with
//! an action on its metric; and the log groups' retention and encryption.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod cloudwatch_changes_to_network_acls_alarm_configured;
mod cloudwatch_changes_to_network_gateways_alarm_configured;
mod cloudwatch_changes_to_network_route_tables_alarm_configured;
mod cloudwatch_changes_to_vpcs_alarm_configured;
mod cloudwatch_log_group_kms_encryption_enabled;
mod cloudwatch_log_group_retention_policy_specific_days_enabled;
mod cloudwatch_log_metric_filter_and_alarm_for_aws_config_configuration_changes_enabled;
mod cloudwatch_log_metric_filter_and_alarm_for_cloudtrail_configuration_changes_enabled;
mod cloudwatch_log_metric_filter_authentication_failures;
mod cloudwatch_log_metric_filter_aws_organizations_changes;
mod cloudwatch_log_metric_filter_disable_or_scheduled_deletion_of_kms_cmk;
mod cloudwatch_log_metric_filter_for_s3_bucket_policy_changes;
mod cloudwatch_log_metric_filter_policy_changes;
mod cloudwatch_log_metric_filter_root_usage;
mod cloudwatch_log_metric_filter_security_group_changes;
mod cloudwatch_log_metric_filter_sign_in_without_mfa;
mod cloudwatch_log_metric_filter_unauthorized_api_calls;
mod monitoring;

/// A CloudWatch Logs log group in AWS Config's camelCase shape: `logGroupName`,
/// `logGroupArn`, `retentionInDays` (absent: never expire), `kmsKeyId`.
const LOG_GROUP: &str = "AWS::Logs::LogGroup";

/// The plugin: every monitoring check, in CIS order, then the log groups' checks.
pub static PLUGIN: Plugin = Plugin {
    name: "cloudwatch",
    version: "1.1.0",
    checks: &[
        cloudwatch_log_metric_filter_unauthorized_api_calls::CHECK,
        cloudwatch_log_metric_filter_sign_in_without_mfa::CHECK,
        cloudwatch_log_metric_filter_root_usage::CHECK,
        cloudwatch_log_metric_filter_policy_changes::CHECK,
        cloudwatch_log_metric_filter_and_alarm_for_cloudtrail_configuration_changes_enabled::CHECK,
        cloudwatch_log_metric_filter_authentication_failures::CHECK,
        cloudwatch_log_metric_filter_disable_or_scheduled_deletion_of_kms_cmk::CHECK,
        cloudwatch_log_metric_filter_for_s3_bucket_policy_changes::CHECK,
        cloudwatch_log_metric_filter_and_alarm_for_aws_config_configuration_changes_enabled::CHECK,
        cloudwatch_log_metric_filter_security_group_changes::CHECK,
        cloudwatch_changes_to_network_acls_alarm_configured::CHECK,
        cloudwatch_changes_to_network_gateways_alarm_configured::CHECK,
        cloudwatch_changes_to_network_route_tables_alarm_configured::CHECK,
        cloudwatch_changes_to_vpcs_alarm_configured::CHECK,
        cloudwatch_log_metric_filter_aws_organizations_changes::CHECK,
        cloudwatch_log_group_retention_policy_specific_days_enabled::CHECK,
        cloudwatch_log_group_kms_encryption_enabled::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
