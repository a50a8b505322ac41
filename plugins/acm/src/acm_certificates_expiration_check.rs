//! Issued certificates do not expire within 30 days, measured at the inventory's capture time.

use securebase_plugin_sdk::time::{days_between, parse_rfc3339};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// A certificate fails when it expires within this many whole days of the capture time.
/// AWS Config's rule defaults to 14 days and Prowler's check to 7; 30 leaves time to
/// re-import a certificate or fix a stuck managed renewal before clients see an error.
const MIN_DAYS_LEFT: i64 = 30;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "acm_certificates_expiration_check",
        title: "ACM certificates do not expire within the next 30 days",
        severity: Severity::High,
        resource_types: &[crate::CERTIFICATE],
        rationale: "When a certificate expires, clients refuse the TLS connections of every load balancer, distribution and API that serves it. ACM renews the certificates it issues only while their validation still holds, and never renews imported ones.",
        remediation: "For an imported certificate, import the renewed one over it: aws acm import-certificate --certificate-arn ARN --certificate fileb://cert.pem --private-key fileb://key.pem --certificate-chain fileb://chain.pem. For an Amazon-issued one, see why managed renewal is stuck (aws acm describe-certificate --certificate-arn ARN, RenewalSummary; usually a removed DNS validation record) and restore the validation. For a private one, aws acm renew-certificate --certificate-arn ARN.",
        references: &[
            reference("aws-config-rule", "ACM_CERTIFICATE_EXPIRATION_CHECK"),
            reference("prowler", "acm_certificates_expiration_check"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let now = inv.captured_at();
    for cert in inv.items(crate::CERTIFICATE).iter() {
        let name = cert.name();
        match cert.config_str("/status") {
            Some(status) if status.eq_ignore_ascii_case("ISSUED") => {}
            Some(status) => {
                out.not_applicable(
                    cert,
                    format!("Certificate {name} is {status}, not issued; this check looks at issued certificates only."),
                );
                continue;
            }
            None => {
                out.error(cert, format!("Certificate {name}: its status is not recorded, so it is unknown whether it is in service."));
                continue;
            }
        }
        let Some(now) = now else {
            out.error(
                cert,
                format!("Certificate {name}: the inventory's capture time is not RFC 3339, so the time to expiry cannot be measured."),
            );
            continue;
        };
        let Some(raw) = cert.config("/notAfter").filter(|v| !v.is_null()) else {
            out.error(cert, format!("Certificate {name} is issued but its expiry date (notAfter) is not recorded."));
            continue;
        };
        let Some((date, expiry)) = raw.as_str().and_then(|s| parse_rfc3339(s).map(|t| (s, t))) else {
            out.error(cert, format!("Certificate {name}: notAfter {raw} is not an RFC 3339 date."));
            continue;
        };
        let imported = cert.config_str("/type").is_some_and(|t| t.eq_ignore_ascii_case("IMPORTED"));
        let hint = if imported { " ACM does not renew imported certificates." } else { "" };
        let days = days_between(now, expiry);
        if expiry <= now {
            out.fail(cert, format!("Certificate {name} expired at {date} but is still recorded as issued.{hint}"));
        } else {
            out.verdict(
                cert,
                days > MIN_DAYS_LEFT,
                format!("Certificate {name} expires in {days} days ({date}), more than {MIN_DAYS_LEFT} days away."),
                format!("Certificate {name} expires in {days} days ({date}), within {MIN_DAYS_LEFT} days.{hint}"),
            );
        }
    }
}
