//! Systems Manager of one region, in our own types (AWS Config records none of these
//! facts): the instances SSM manages (`SecureBase::SSM::ManagedInstance`), the documents
//! the account owns with whom they are shared (`SecureBase::SSM::Document`), one
//! `SecureBase::SSM::ManagedInstanceList` per region whose list was read, and the
//! Session Manager preferences, the inputs of `SSM-SessionManagerRunShell`
//! (`SecureBase::SSM::SessionManagerPreferences`, absent where never set).

use crate::sink::{ItemExt, Sink, is_code, item};
use crate::{Scope, client};
use aws_sdk_ssm::types::{DocumentKeyValuesFilter, DocumentPermissionType};
use serde_json::{Value, json};

pub(crate) const SERVICE: &str = "ssm";

/// The document Session Manager keeps a region's preferences in.
const SESSION_PREFERENCES: &str = "SSM-SessionManagerRunShell";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    let ssm = client!(aws_sdk_ssm, s);
    let region = s.region;
    if s.wants("SecureBase::SSM::ManagedInstance") {
        let r = ssm.describe_instance_information().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        let listed = out.call(SERVICE, region, "DescribeInstanceInformation", r);
        // That the list was read, so an instance missing from it is unmanaged, not unknown.
        if let Some(all) = &listed {
            out.push(item("SecureBase::SSM::ManagedInstanceList", region, s.account, region, json!({ "count": all.len() })));
        }
        for i in listed.unwrap_or_default() {
            let Some(id) = i.instance_id() else { continue };
            let config = json!({
                "instanceId": id,
                "pingStatus": i.ping_status().map(|x| x.as_str()),
                "platformType": i.platform_type().map(|x| x.as_str()),
                "agentVersion": i.agent_version(),
            });
            out.push(item("SecureBase::SSM::ManagedInstance", id, s.account, region, config).named(Some(id)));
        }
    }
    if s.wants("SecureBase::SSM::Document") {
        let own = DocumentKeyValuesFilter::builder().key("Owner").values("Self").build();
        let r = ssm.list_documents().filters(own).into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for d in out.call(SERVICE, region, "ListDocuments", r).unwrap_or_default() {
            let Some(name) = d.name() else { continue };
            let r = ssm.describe_document_permission().name(name).permission_type(DocumentPermissionType::Share).send().await;
            // Who may use it decides a check: not emitted without it.
            let Some(permission) = out.call(SERVICE, region, &format!("DescribeDocumentPermission {name}"), r) else { continue };
            let config =
                json!({ "name": name, "documentType": d.document_type().map(|x| x.as_str()), "accountIds": permission.account_ids() });
            out.push(item("SecureBase::SSM::Document", name, s.account, region, config).named(Some(name)));
        }
    }
    if s.wants("SecureBase::SSM::SessionManagerPreferences") {
        match ssm.get_document().name(SESSION_PREFERENCES).send().await {
            Ok(doc) => {
                let inputs = doc.content().and_then(|c| serde_json::from_str::<Value>(c).ok()).and_then(|c| c.get("inputs").cloned());
                let text = |key: &str| inputs.as_ref().and_then(|i| i.get(key)).and_then(Value::as_str).unwrap_or("").to_string();
                let flag = |key: &str| inputs.as_ref().and_then(|i| i.get(key)).and_then(Value::as_bool).unwrap_or(false);
                let config = json!({
                    "s3BucketName": text("s3BucketName"),
                    "s3EncryptionEnabled": flag("s3EncryptionEnabled"),
                    "cloudWatchLogGroupName": text("cloudWatchLogGroupName"),
                    "cloudWatchEncryptionEnabled": flag("cloudWatchEncryptionEnabled"),
                    "kmsKeyId": text("kmsKeyId"),
                });
                out.push(
                    item("SecureBase::SSM::SessionManagerPreferences", region, s.account, region, config).named(Some(SESSION_PREFERENCES)),
                );
            }
            // Never set in this region: nothing to emit, which the logging check reads as off.
            Err(e) if is_code(&e, &["InvalidDocument"]) => {}
            Err(e) => {
                out.call::<(), _>(SERVICE, region, &format!("GetDocument {SESSION_PREFERENCES}"), Err(e));
            }
        }
    }
    out
}
