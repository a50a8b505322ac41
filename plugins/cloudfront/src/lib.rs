//! Built-in control plugin for Amazon CloudFront: HTTPS for viewers, TLS 1.2 as the
//! minimum, access logs, AWS WAF, origin access control for S3 origins and HTTPS to
//! custom origins.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::{Item, Plugin};
use serde_json::Value;

mod cloudfront_distributions_https_enabled;
mod cloudfront_distributions_logging_enabled;
mod cloudfront_distributions_minimum_tls_1_2;
mod cloudfront_distributions_origin_traffic_encrypted;
mod cloudfront_distributions_s3_origin_access_control;
mod cloudfront_distributions_using_waf;

/// AWS Config records distributions in the GetDistribution shape (camelCase), the settings
/// under `distributionConfig`. Distributions are global (`awsRegion` is `global`).
const DISTRIBUTION: &str = "AWS::CloudFront::Distribution";

/// The entries of a CloudFront list at `pointer` in a distribution's configuration.
/// CloudFront wraps every list as `{"quantity": n, "items": [...]}` and leaves `items`
/// out when `quantity` is 0, so a missing list or missing `items` is an empty list.
fn list<'a>(distribution: &'a Item, pointer: &str) -> &'a [Value] {
    distribution.config(&format!("{pointer}/items")).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "cloudfront",
    version: "1.0.0",
    checks: &[
        cloudfront_distributions_https_enabled::CHECK,
        cloudfront_distributions_minimum_tls_1_2::CHECK,
        cloudfront_distributions_logging_enabled::CHECK,
        cloudfront_distributions_using_waf::CHECK,
        cloudfront_distributions_s3_origin_access_control::CHECK,
        cloudfront_distributions_origin_traffic_encrypted::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
