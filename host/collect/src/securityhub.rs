//! Security Hub of one region: the hub, when the account is subscribed. "Not
//! subscribed" is an answer, not an error.

use crate::sink::{ItemExt, Sink, is_code, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "securityhub";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::SecurityHub::Hub") {
        return out;
    }
    let hub = client!(aws_sdk_securityhub, s);
    let region = s.region;
    match hub.describe_hub().send().await {
        Ok(h) => {
            let arn = h.hub_arn().unwrap_or_default();
            let config = json!({
                "ARN": arn,
                "SubscribedAt": h.subscribed_at(),
                "AutoEnableControls": h.auto_enable_controls(),
            });
            out.push(item("AWS::SecurityHub::Hub", arn, s.account, region, config).arn(Some(arn.to_string())));
        }
        Err(e) if is_code(&e, &["InvalidAccessException", "ResourceNotFoundException"]) => {}
        Err(e) => {
            out.call::<(), _>(SERVICE, region, "DescribeHub", Err(e));
        }
    }
    out
}
