//! Amazon Macie of one region: whether it is enabled, as our own
//! `SecureBase::Macie::Session` (AWS Config records no such resource), absent where it is not.

use crate::sink::{Sink, item};
use crate::{Scope, client};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::json;

pub(crate) const SERVICE: &str = "macie2";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("SecureBase::Macie::Session") {
        return out;
    }
    let macie = client!(aws_sdk_macie2, s);
    let region = s.region;
    match macie.get_macie_session().send().await {
        Ok(session) => {
            let config = json!({ "status": session.status().map(|x| x.as_str()) });
            out.push(item("SecureBase::Macie::Session", region, s.account, region, config));
        }
        // Macie answers a region where it is off with AccessDenied "Macie is not enabled":
        // that is the answer, not a failure. Any other denial is a real error.
        Err(e)
            if e.code() == Some("AccessDeniedException") && e.message().is_some_and(|m| m.to_ascii_lowercase().contains("not enabled")) => {
        }
        Err(e) => {
            out.call::<(), _>(SERVICE, region, "GetMacieSession", Err(e));
        }
    }
    out
}
