//! Built-in control plugin for AWS Certificate Manager: expiry, key algorithms and Certificate Transparency logging.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod acm_certificates_expiration_check;
mod acm_certificates_transparency_logs_enabled;
mod acm_certificates_with_secure_key_algorithms;

/// AWS Config records certificates in the DescribeCertificate shape, camelCase (`status`,
/// `type`, `keyAlgorithm`, `notAfter`, `options.certificateTransparencyLoggingPreference`).
const CERTIFICATE: &str = "AWS::ACM::Certificate";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "acm",
    version: "1.0.0",
    checks: &[
        acm_certificates_expiration_check::CHECK,
        acm_certificates_with_secure_key_algorithms::CHECK,
        acm_certificates_transparency_logs_enabled::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
