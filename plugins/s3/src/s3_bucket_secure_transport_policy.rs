//! Bucket policies refuse requests that do not use TLS.

use super::{BUCKET, bucket_name};
use securebase_plugin_sdk::policy::Policy;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "s3_bucket_secure_transport_policy",
        title: "S3 bucket policies deny requests made without TLS",
        severity: Severity::Medium,
        resource_types: &[BUCKET],
        rationale: "Without an explicit deny on aws:SecureTransport=false, clients can read and write objects over plain HTTP.",
        remediation: "Add a statement to the bucket policy: {\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::NAME\",\"arn:aws:s3:::NAME/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}",
        references: &[
            reference("aws-config-rule", "S3_BUCKET_SSL_REQUESTS_ONLY"),
            reference("prowler", "s3_bucket_secure_transport_policy"),
            reference("cis", "2.1.1"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for b in inv.items(BUCKET).iter() {
        let Some(text) = b.supplementary_node("/BucketPolicy/policyText").filter(|v| !v.is_null()) else {
            out.fail(b, format!("Bucket {} has no bucket policy, so HTTP requests are not denied.", bucket_name(b)));
            continue;
        };
        let policy = match Policy::parse(&text.to_value()) {
            Ok(p) => p,
            Err(e) => {
                out.error(b, format!("Bucket {}: {e}.", bucket_name(b)));
                continue;
            }
        };
        let denies_http = policy.denies_insecure_transport("s3");
        out.verdict(
            b,
            denies_http,
            format!("Bucket {} denies requests that do not use TLS.", bucket_name(b)),
            format!("Bucket {} policy does not deny requests with aws:SecureTransport=false.", bucket_name(b)),
        );
    }
}
