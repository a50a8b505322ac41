//! The account's own settings (AWS Account Management), once per account: whether a
//! security alternate contact is registered, as our own `SecureBase::Account::SecurityContact`.
//! Only that it exists: the contact's name, email address and phone number are personal
//! data the checks do not need, so they are never read into an item.

use crate::sink::{Sink, is_code, item};
use crate::{Scope, client};
use aws_sdk_account::types::AlternateContactType;
use serde_json::json;

pub(crate) const SERVICE: &str = "account";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("SecureBase::Account::SecurityContact") {
        return out;
    }
    let account = client!(aws_sdk_account, s);
    let registered = match account.get_alternate_contact().alternate_contact_type(AlternateContactType::Security).send().await {
        Ok(_) => true,
        Err(e) if is_code(&e, &["ResourceNotFoundException"]) => false,
        Err(e) => {
            out.call::<(), _>(SERVICE, s.region, "GetAlternateContact", Err(e));
            return out;
        }
    };
    out.push(item("SecureBase::Account::SecurityContact", s.account, s.account, s.region, json!({ "registered": registered })));
    out
}
