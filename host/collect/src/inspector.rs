//! Amazon Inspector of one region: the account's scanning status, as our own
//! `SecureBase::Inspector2::Account` (AWS Config records no such resource).

use crate::sink::{Sink, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "inspector2";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("SecureBase::Inspector2::Account") {
        return out;
    }
    let inspector = client!(aws_sdk_inspector2, s);
    let region = s.region;
    let r = inspector.batch_get_account_status().account_ids(s.account).send().await;
    let Some(status) = out.call(SERVICE, region, "BatchGetAccountStatus", r) else { return out };
    for a in status.accounts().iter().filter(|a| a.account_id() == s.account) {
        let resources = a.resource_state();
        fn of(r: Option<&aws_sdk_inspector2::types::State>) -> Option<&str> {
            r.map(|x| x.status().as_str())
        }
        let config = json!({
            "status": a.state().map(|x| x.status().as_str()),
            "resourceState": {
                "ec2": of(resources.and_then(|r| r.ec2())),
                "ecr": of(resources.and_then(|r| r.ecr())),
                "lambda": of(resources.and_then(|r| r.lambda())),
            },
        });
        out.push(item("SecureBase::Inspector2::Account", region, s.account, region, config));
    }
    out
}
