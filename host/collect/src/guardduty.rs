//! GuardDuty of one region: its detector, if any (`Enable` as AWS Config records it).

use crate::sink::{Sink, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "guardduty";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::GuardDuty::Detector") {
        return out;
    }
    let gd = client!(aws_sdk_guardduty, s);
    let region = s.region;
    let r = gd.list_detectors().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for id in out.call(SERVICE, region, "ListDetectors", r).unwrap_or_default() {
        let r = gd.get_detector().detector_id(&id).send().await;
        let Some(d) = out.call(SERVICE, region, &format!("GetDetector {id}"), r) else { continue };
        let config = json!({
            "Enable": d.status().is_some_and(|s| s.as_str() == "ENABLED"),
            "FindingPublishingFrequency": d.finding_publishing_frequency().map(|f| f.as_str()),
        });
        out.push(item("AWS::GuardDuty::Detector", id, s.account, region, config));
    }
    out
}
