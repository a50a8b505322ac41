//! Built-in control plugin for AWS CloudTrail: multi-region trails, log file validation, KMS encryption, CloudWatch Logs
//! delivery, S3 data events, and the trail bucket's access logging and exposure.
//!
//! AWS Config records trails in their CloudFormation shape (`TrailName`, `IsLogging`,
//! `IsMultiRegionTrail`, `EventSelectors`, ...), which is what these checks read.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod cloudtrail_cloudwatch_logging_enabled;
mod cloudtrail_kms_encryption_enabled;
mod cloudtrail_log_file_validation_enabled;
mod cloudtrail_logs_s3_bucket_access_logging_enabled;
mod cloudtrail_logs_s3_bucket_is_not_publicly_accessible;
mod cloudtrail_multi_region_enabled;
mod cloudtrail_s3_dataevents_read_enabled;
mod cloudtrail_s3_dataevents_write_enabled;
mod trails;

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "cloudtrail",
    version: "1.0.0",
    checks: &[
        cloudtrail_multi_region_enabled::CHECK,
        cloudtrail_log_file_validation_enabled::CHECK,
        cloudtrail_kms_encryption_enabled::CHECK,
        cloudtrail_cloudwatch_logging_enabled::CHECK,
        cloudtrail_s3_dataevents_write_enabled::CHECK,
        cloudtrail_s3_dataevents_read_enabled::CHECK,
        cloudtrail_logs_s3_bucket_access_logging_enabled::CHECK,
        cloudtrail_logs_s3_bucket_is_not_publicly_accessible::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
