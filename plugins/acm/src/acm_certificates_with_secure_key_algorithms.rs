//! Certificates use an RSA key of at least 2048 bits or an elliptic-curve key.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// The shortest RSA key that passes, in bits: AWS Config's ACM_CERTIFICATE_RSA_CHECK (and
/// NIST SP 800-131A, which disallows shorter keys for signatures).
const MIN_RSA_BITS: u32 = 2048;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "acm_certificates_with_secure_key_algorithms",
        title: "ACM certificates use RSA keys of at least 2048 bits or elliptic-curve keys",
        severity: Severity::High,
        resource_types: &[crate::CERTIFICATE],
        rationale: "A 1024-bit RSA key is within reach of a well-funded attacker; whoever factors it can impersonate the site. ACM only issues 2048-bit or stronger keys, so short keys come from imported certificates.",
        remediation: "Request a replacement with a strong key (aws acm request-certificate --domain-name DOMAIN --validation-method DNS --key-algorithm EC_prime256v1, or RSA_2048), or import one issued with such a key, move the resources in its InUseBy list to it, then aws acm delete-certificate --certificate-arn ARN.",
        references: &[
            reference("aws-config-rule", "ACM_CERTIFICATE_RSA_CHECK"),
            reference("prowler", "acm_certificates_with_secure_key_algorithms"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for cert in inv.items(crate::CERTIFICATE).iter() {
        let name = cert.name();
        let Some(algorithm) = cert.config_str("/keyAlgorithm").map(str::trim).filter(|a| !a.is_empty()) else {
            out.error(cert, format!("Certificate {name}: its key algorithm (keyAlgorithm) is not recorded."));
            continue;
        };
        // AWS Config writes RSA-2048 and EC-prime256v1; the ACM API RSA_2048 and EC_prime256v1.
        let normalized = algorithm.to_ascii_uppercase().replace('_', "-");
        if let Some(bits) = normalized.strip_prefix("RSA-") {
            match bits.parse::<u32>() {
                Ok(bits) => out.verdict(
                    cert,
                    bits >= MIN_RSA_BITS,
                    format!("Certificate {name} uses a {bits}-bit RSA key ({algorithm})."),
                    format!("Certificate {name} uses a {bits}-bit RSA key ({algorithm}), shorter than {MIN_RSA_BITS} bits."),
                ),
                Err(_) => out.error(cert, format!("Certificate {name}: key algorithm {algorithm} names no RSA key length.")),
            }
        } else if normalized.starts_with("EC-") {
            out.pass(cert, format!("Certificate {name} uses an elliptic-curve key ({algorithm})."));
        } else {
            out.error(cert, format!("Certificate {name}: key algorithm {algorithm} is not one this check knows."));
        }
    }
}
