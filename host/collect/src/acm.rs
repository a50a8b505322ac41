//! ACM of one region: certificates in AWS Config's camelCase shape (`status`, `type`,
//! `keyAlgorithm`, `notAfter`, `inUseBy`, `options.certificateTransparencyLoggingPreference`).
//! Listed with every key type: by default `ListCertificates` returns RSA-2048 ones only,
//! which would hide exactly the weak keys a check looks for.

use crate::sink::{ItemExt, Sink, item, time};
use crate::{Scope, client};
use aws_sdk_acm::types::{Filters, KeyAlgorithm};
use serde_json::json;

pub(crate) const SERVICE: &str = "acm";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::ACM::Certificate") {
        return out;
    }
    let acm = client!(aws_sdk_acm, s);
    let region = s.region;
    let every_key = Filters::builder().set_key_types(Some(KeyAlgorithm::values().iter().map(|k| KeyAlgorithm::from(*k)).collect())).build();
    let r = acm.list_certificates().includes(every_key).into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for summary in out.call(SERVICE, region, "ListCertificates", r).unwrap_or_default() {
        let Some(arn) = summary.certificate_arn() else { continue };
        let r = acm.describe_certificate().certificate_arn(arn).send().await;
        let Some(c) = out.call(SERVICE, region, &format!("DescribeCertificate {arn}"), r).and_then(|d| d.certificate().cloned()) else {
            continue;
        };
        // Deprecated in the API because new certificates can no longer opt out; older ones
        // that did still exist, and are what the transparency check finds.
        #[allow(deprecated)]
        let transparency = c.options().and_then(|o| o.certificate_transparency_logging_preference()).map(|x| x.as_str());
        let config = json!({
            "certificateArn": arn,
            "domainName": c.domain_name(),
            "subjectAlternativeNames": c.subject_alternative_names(),
            "status": c.status().map(|x| x.as_str()),
            "type": c.r#type().map(|x| x.as_str()),
            // The API says RSA_2048, Config records RSA-2048.
            "keyAlgorithm": c.key_algorithm().map(|x| x.as_str().replacen('_', "-", 1)),
            "notBefore": time(c.not_before()),
            "notAfter": time(c.not_after()),
            "inUseBy": c.in_use_by(),
            "options": { "certificateTransparencyLoggingPreference": transparency },
        });
        out.push(item("AWS::ACM::Certificate", arn, s.account, region, config).named(c.domain_name()).arn(Some(arn.to_string())));
    }
    out
}
