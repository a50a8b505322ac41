//! CIS 4.8: a metric filter and alarm for S3 bucket policy changes.

pub const CHECK: securebase_plugin_sdk::Check = crate::monitoring::monitor_check!(
    "cloudwatch_log_metric_filter_for_s3_bucket_policy_changes",
    "4.8",
    "S3 bucket policy changes",
    [
        "$.eventSource=s3.amazonaws.com",
        "$.eventName=PutBucketAcl",
        "$.eventName=PutBucketPolicy",
        "$.eventName=PutBucketCors",
        "$.eventName=PutBucketLifecycle",
        "$.eventName=PutBucketReplication",
        "$.eventName=DeleteBucketPolicy",
        "$.eventName=DeleteBucketCors",
        "$.eventName=DeleteBucketLifecycle",
        "$.eventName=DeleteBucketReplication"
    ]
);
