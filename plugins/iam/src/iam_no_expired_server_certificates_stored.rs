//! No expired SSL/TLS server certificate is stored in IAM.

use securebase_plugin_sdk::time::parse_rfc3339;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// Our own resource type: `ListServerCertificates` entries (AWS Config records none).
const SERVER_CERTIFICATE: &str = "SecureBase::IAM::ServerCertificate";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_no_expired_server_certificates_stored",
        title: "Expired SSL/TLS certificates stored in IAM are removed",
        severity: Severity::Low,
        resource_types: &[SERVER_CERTIFICATE],
        rationale: "An expired certificate deployed by mistake to a load balancer or CloudFront breaks clients and erodes trust.",
        remediation: "aws iam delete-server-certificate --server-certificate-name NAME",
        references: &[
            reference("aws-config-rule", "IAM_SERVER_CERTIFICATE_EXPIRATION_CHECK"),
            reference("prowler", "iam_no_expired_server_certificates_stored"),
            reference("cis", "1.19"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let now = inv.captured_at();
    for c in inv.items(SERVER_CERTIFICATE).iter() {
        let name = c.name();
        match (c.config_str("/expiration").and_then(parse_rfc3339), now) {
            (Some(expires), Some(now)) if expires <= now => {
                out.fail(c, format!("Certificate {name} expired on {}.", c.config_str("/expiration").unwrap_or("?")))
            }
            (Some(_), Some(_)) => out.pass(c, format!("Certificate {name} has not expired.")),
            _ => out.error(c, format!("Certificate {name} has no readable expiration date.")),
        }
    }
}
