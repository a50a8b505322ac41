//! Certificates issued by ACM are logged to public Certificate Transparency logs.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "acm_certificates_transparency_logs_enabled",
        title: "ACM-issued certificates have Certificate Transparency logging enabled",
        severity: Severity::Medium,
        resource_types: &[crate::CERTIFICATE],
        rationale: "Certificate Transparency logs let a domain's owner spot certificates issued for it by mistake or by a compromised CA, and browsers such as Chrome and Safari reject publicly trusted certificates that were not logged.",
        remediation: "aws acm update-certificate-options --certificate-arn ARN --options CertificateTransparencyLoggingPreference=ENABLED",
        references: &[
            reference("aws-config-rule", "ACM_CERTIFICATE_TRANSPARENT_LOGGING_ENABLED"),
            reference("prowler", "acm_certificates_transparency_logs_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for cert in inv.items(crate::CERTIFICATE).iter() {
        let name = cert.name();
        // A missing type is ACM's own kind, AMAZON_ISSUED.
        let kind = cert.config_str("/type").unwrap_or("AMAZON_ISSUED");
        if kind.eq_ignore_ascii_case("IMPORTED") {
            out.not_applicable(cert, format!("Certificate {name} is imported: whether it is logged is up to the CA that issued it."));
            continue;
        }
        if kind.eq_ignore_ascii_case("PRIVATE") {
            out.not_applicable(cert, format!("Certificate {name} is issued by a private CA, whose certificates are not publicly logged."));
            continue;
        }
        // ENABLED is the default; only an explicit DISABLED turns logging off.
        let preference = cert.config_str("/options/certificateTransparencyLoggingPreference").unwrap_or("ENABLED");
        out.verdict(
            cert,
            !preference.eq_ignore_ascii_case("DISABLED"),
            format!("Certificate {name} is logged to Certificate Transparency logs."),
            format!("Certificate {name} has Certificate Transparency logging disabled."),
        );
    }
}
