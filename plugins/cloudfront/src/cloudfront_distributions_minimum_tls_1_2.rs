//! Distributions refuse viewers older than TLS 1.2.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, inventory_bool, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudfront_distributions_minimum_tls_1_2",
        title: "CloudFront distributions use a security policy with TLS 1.2 or later as the minimum for viewers",
        severity: Severity::Medium,
        resource_types: &[crate::DISTRIBUTION],
        rationale: "A security policy older than TLSv1.2_2018 still accepts TLS 1.0 or 1.1 (and TLSv1 weak ciphers), which have known weaknesses and are no longer accepted by current compliance standards. With the default *.cloudfront.net certificate CloudFront always accepts TLSv1, and the minimum cannot be raised, so such a distribution fails too.",
        remediation: "Serve the distribution under an alternate domain name with an ACM certificate from us-east-1 and choose security policy TLSv1.2_2021 (or later): in the DistributionConfig set ViewerCertificate to ACMCertificateArn=CERT_ARN, SSLSupportMethod=sni-only, MinimumProtocolVersion=TLSv1.2_2021, then aws cloudfront update-distribution --id ID --if-match ETAG --distribution-config file://config.json (console: General > Settings > Edit > Security policy).",
        references: &[
            reference("aws-config-rule", "CLOUDFRONT_SECURITY_POLICY_CHECK"),
            reference(
                "url",
                "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html",
            ),
        ],
    },
    run,
};

/// Whether a security policy's minimum protocol is TLS 1.2 or later: TLSv1.2_2018,
/// TLSv1.2_2019, TLSv1.2_2021, TLSv1.2_2025 and TLSv1.3_2025 as of 2026; SSLv3, TLSv1,
/// TLSv1_2016 and TLSv1.1_2016 are older.
fn tls_1_2_or_later(policy: &str) -> bool {
    policy.starts_with("TLSv1.2_") || policy.starts_with("TLSv1.3")
}

fn run(inv: &Inventory, out: &mut Findings) {
    for distribution in inv.items(crate::DISTRIBUTION).iter() {
        let name = distribution.name();
        // Without a viewer certificate recorded (absent or null), CloudFront uses its default one.
        let default_certificate = match distribution.config("/distributionConfig/viewerCertificate").filter(|c| !c.is_null()) {
            None => true,
            Some(certificate) => certificate.get("cloudFrontDefaultCertificate").and_then(inventory_bool) == Some(true),
        };
        if default_certificate {
            out.fail(
                distribution,
                format!(
                    "Distribution {name} uses the default *.cloudfront.net certificate, with which CloudFront accepts TLSv1 and the minimum cannot be raised; serve it under an alternate domain name with an ACM certificate to choose TLSv1.2_2021."
                ),
            );
            continue;
        }
        // CloudFront's default security policy is TLSv1.
        let policy = distribution.config_str("/distributionConfig/viewerCertificate/minimumProtocolVersion").unwrap_or("TLSv1");
        out.verdict(
            distribution,
            tls_1_2_or_later(policy),
            format!("Distribution {name} uses security policy {policy}, which requires TLS 1.2 or later from viewers."),
            format!("Distribution {name} uses security policy {policy}, which still accepts protocols older than TLS 1.2."),
        );
    }
}
