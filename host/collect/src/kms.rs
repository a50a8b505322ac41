//! KMS of one region: every key (AWS Config's camelCase shape), and for customer managed
//! symmetric keys the rotation status and key policy, which Config does not record.

use crate::sink::{ItemExt, Sink, item, time};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "kms";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::KMS::Key") {
        return out;
    }
    let kms = client!(aws_sdk_kms, s);
    let region = s.region;
    let r = kms.list_keys().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for key in out.call(SERVICE, region, "ListKeys", r).unwrap_or_default() {
        let Some(id) = key.key_id() else { continue };
        let r = kms.describe_key().key_id(id).send().await;
        let Some(m) = out.call(SERVICE, region, &format!("DescribeKey {id}"), r).and_then(|d| d.key_metadata().cloned()) else { continue };
        let manager = m.key_manager().map(|k| k.as_str().to_string());
        let config = json!({
            "keyId": m.key_id(),
            "arn": m.arn(),
            "keyManager": manager,
            "keyState": m.key_state().map(|k| k.as_str()),
            "keySpec": m.key_spec().map(|k| k.as_str()),
            "keyUsage": m.key_usage().map(|k| k.as_str()),
            "origin": m.origin().map(|k| k.as_str()),
            "description": m.description(),
            "creationDate": time(m.creation_date()),
        });
        let mut supplementary = json!({});
        let rotatable = manager.as_deref() == Some("CUSTOMER")
            && m.key_spec().is_none_or(|k| k.as_str() == "SYMMETRIC_DEFAULT")
            && m.key_state().is_some_and(|k| k.as_str() == "Enabled");
        if manager.as_deref() == Some("CUSTOMER") {
            if rotatable {
                let r = kms.get_key_rotation_status().key_id(id).send().await;
                // Rotation decides a check: a key whose status cannot be read is not emitted.
                let Some(rotation) = out.call(SERVICE, region, &format!("GetKeyRotationStatus {id}"), r) else { continue };
                supplementary["KeyRotationStatus"] = json!(rotation.key_rotation_enabled());
            }
            let r = kms.get_key_policy().key_id(id).policy_name("default").send().await;
            let Some(policy) = out.call(SERVICE, region, &format!("GetKeyPolicy {id}"), r) else { continue };
            supplementary["KeyPolicy"] = json!(policy.policy());
        }
        out.push(item("AWS::KMS::Key", id, s.account, region, config).arn(m.arn().map(str::to_string)).supplementary(supplementary));
    }
    out
}
