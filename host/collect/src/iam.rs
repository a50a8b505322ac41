//! IAM, once per account: users, groups, roles and customer managed policies from one
//! paginated `GetAccountAuthorizationDetails` (it carries what AWS Config records:
//! inline and attached policies, group memberships, policy versions, documents
//! URL-encoded as IAM returns them), plus the account-level facts Config does not record:
//! password policy, account summary, credential report, virtual MFA devices, server
//! certificates.

use crate::sink::{ItemExt, Sink, is_code, item, time};
use crate::{Scope, client};
use aws_sdk_iam::types::{AttachedPolicy, EntityType, PolicyDetail, ReportStateType, Tag};
use serde_json::{Map, Value, json};
use std::time::Duration;

pub(crate) const SERVICE: &str = "iam";
const GLOBAL: &str = "global";

fn tags(tags: &[Tag]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter().map(|t| (t.key(), t.value()))
}

fn inline(list: &[PolicyDetail]) -> Vec<Value> {
    list.iter().map(|p| json!({ "policyName": p.policy_name(), "policyDocument": p.policy_document() })).collect()
}

fn attached(list: &[AttachedPolicy]) -> Vec<Value> {
    list.iter().map(|p| json!({ "policyName": p.policy_name(), "policyArn": p.policy_arn() })).collect()
}

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let iam = client!(aws_sdk_iam, s);
    let account = s.account;
    let mut out = Sink::default();

    let wanted: Vec<EntityType> = [
        ("AWS::IAM::User", EntityType::User),
        ("AWS::IAM::Group", EntityType::Group),
        ("AWS::IAM::Role", EntityType::Role),
        ("AWS::IAM::Policy", EntityType::LocalManagedPolicy),
    ]
    .into_iter()
    .filter(|(t, _)| s.wants(t))
    .map(|(_, e)| e)
    .collect();
    if !wanted.is_empty() {
        let r =
            iam.get_account_authorization_details().set_filter(Some(wanted)).into_paginator().send().collect::<Result<Vec<_>, _>>().await;
        for page in out.call(SERVICE, GLOBAL, "GetAccountAuthorizationDetails", r).unwrap_or_default() {
            for u in page.user_detail_list() {
                let config = json!({
                    "userName": u.user_name(),
                    "userId": u.user_id(),
                    "arn": u.arn(),
                    "path": u.path(),
                    "createDate": time(u.create_date()),
                    "attachedManagedPolicies": attached(u.attached_managed_policies()),
                    "userPolicyList": inline(u.user_policy_list()),
                    "groupList": u.group_list(),
                });
                out.push(
                    item("AWS::IAM::User", u.user_id().unwrap_or_default(), account, GLOBAL, config)
                        .named(u.user_name())
                        .arn(u.arn().map(str::to_string))
                        .tags(tags(u.tags())),
                );
            }
            for g in page.group_detail_list() {
                let config = json!({
                    "groupName": g.group_name(),
                    "groupId": g.group_id(),
                    "arn": g.arn(),
                    "path": g.path(),
                    "attachedManagedPolicies": attached(g.attached_managed_policies()),
                    "groupPolicyList": inline(g.group_policy_list()),
                });
                out.push(
                    item("AWS::IAM::Group", g.group_id().unwrap_or_default(), account, GLOBAL, config)
                        .named(g.group_name())
                        .arn(g.arn().map(str::to_string)),
                );
            }
            for r in page.role_detail_list() {
                let config = json!({
                    "roleName": r.role_name(),
                    "roleId": r.role_id(),
                    "arn": r.arn(),
                    "path": r.path(),
                    "assumeRolePolicyDocument": r.assume_role_policy_document(),
                    "attachedManagedPolicies": attached(r.attached_managed_policies()),
                    "rolePolicyList": inline(r.role_policy_list()),
                });
                out.push(
                    item("AWS::IAM::Role", r.role_id().unwrap_or_default(), account, GLOBAL, config)
                        .named(r.role_name())
                        .arn(r.arn().map(str::to_string))
                        .tags(tags(r.tags())),
                );
            }
            for p in page.policies() {
                let versions: Vec<Value> = p
                    .policy_version_list()
                    .iter()
                    .map(|v| json!({ "document": v.document(), "versionId": v.version_id(), "isDefaultVersion": v.is_default_version() }))
                    .collect();
                // Some AWS-compatible endpoints leave out the id and name; the ARN names the
                // policy uniquely, so items never collapse into one.
                let name = p.policy_name().or_else(|| p.arn().and_then(|a| a.rsplit('/').next()));
                let id = p.policy_id().or(p.arn()).unwrap_or_default();
                let config = json!({
                    "policyName": name,
                    "policyId": p.policy_id(),
                    "arn": p.arn(),
                    "path": p.path(),
                    "defaultVersionId": p.default_version_id(),
                    "attachmentCount": p.attachment_count(),
                    "isAttachable": p.is_attachable(),
                    "policyVersionList": versions,
                });
                out.push(item("AWS::IAM::Policy", id, account, GLOBAL, config).named(name).arn(p.arn().map(str::to_string)));
            }
        }
    }

    if s.wants("SecureBase::IAM::PasswordPolicy") {
        match iam.get_account_password_policy().send().await {
            Ok(r) => {
                let p = r.password_policy();
                let config = json!({
                    "minimumPasswordLength": p.and_then(|p| p.minimum_password_length()),
                    "requireSymbols": p.map(|p| p.require_symbols()),
                    "requireNumbers": p.map(|p| p.require_numbers()),
                    "requireUppercaseCharacters": p.map(|p| p.require_uppercase_characters()),
                    "requireLowercaseCharacters": p.map(|p| p.require_lowercase_characters()),
                    "allowUsersToChangePassword": p.map(|p| p.allow_users_to_change_password()),
                    "expirePasswords": p.map(|p| p.expire_passwords()),
                    "maxPasswordAge": p.and_then(|p| p.max_password_age()),
                    "passwordReusePrevention": p.and_then(|p| p.password_reuse_prevention()),
                    "hardExpiry": p.and_then(|p| p.hard_expiry()),
                });
                out.push(item("SecureBase::IAM::PasswordPolicy", account, account, GLOBAL, without_nulls(config)));
            }
            // No custom policy: the item is still there, empty, so the checks fail it.
            Err(e) if is_code(&e, &["NoSuchEntity"]) => {
                out.push(item("SecureBase::IAM::PasswordPolicy", account, account, GLOBAL, json!({})));
            }
            Err(e) => {
                out.call::<(), _>(SERVICE, GLOBAL, "GetAccountPasswordPolicy", Err(e));
            }
        }
    }

    if s.wants("SecureBase::IAM::AccountSummary") {
        let r = iam.get_account_summary().send().await;
        if let Some(summary) = out.call(SERVICE, GLOBAL, "GetAccountSummary", r) {
            let map: Map<String, Value> =
                summary.summary_map().into_iter().flatten().map(|(k, v)| (k.as_str().to_string(), json!(v))).collect();
            out.push(item("SecureBase::IAM::AccountSummary", account, account, GLOBAL, Value::Object(map)));
        }
    }

    if s.wants("SecureBase::IAM::CredentialReportEntry") {
        credential_report(&iam, account, &mut out).await;
    }

    if s.wants("SecureBase::IAM::VirtualMFADevice") {
        let r = iam.list_virtual_mfa_devices().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for d in out.call(SERVICE, GLOBAL, "ListVirtualMFADevices", r).unwrap_or_default() {
            let config = json!({ "serialNumber": d.serial_number(), "user": d.user().map(|u| json!({ "arn": u.arn() })) });
            out.push(item("SecureBase::IAM::VirtualMFADevice", d.serial_number(), account, GLOBAL, config));
        }
    }

    if s.wants("SecureBase::IAM::ServerCertificate") {
        let r = iam.list_server_certificates().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for c in out.call(SERVICE, GLOBAL, "ListServerCertificates", r).unwrap_or_default() {
            let config = json!({
                "serverCertificateName": c.server_certificate_name(),
                "arn": c.arn(),
                "expiration": time(c.expiration()),
                "uploadDate": time(c.upload_date()),
            });
            out.push(
                item("SecureBase::IAM::ServerCertificate", c.server_certificate_name(), account, GLOBAL, config)
                    .named(Some(c.server_certificate_name()))
                    .arn(Some(c.arn().to_string())),
            );
        }
    }
    out
}

fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}

/// Generates the credential report (IAM builds it asynchronously) and emits one item per row.
async fn credential_report(iam: &aws_sdk_iam::Client, account: &str, out: &mut Sink) {
    for attempt in 0.. {
        let r = iam.generate_credential_report().send().await;
        let Some(state) = out.call(SERVICE, GLOBAL, "GenerateCredentialReport", r) else { return };
        if state.state() == Some(&ReportStateType::Complete) {
            break;
        }
        if attempt == 30 {
            out.error(SERVICE, GLOBAL, "GenerateCredentialReport: the report was not ready after 30 s");
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let r = iam.get_credential_report().send().await;
    let Some(report) = out.call(SERVICE, GLOBAL, "GetCredentialReport", r) else { return };
    let text = report.content().map(|b| String::from_utf8_lossy(b.as_ref()).into_owned()).unwrap_or_default();
    match parse_credential_report(&text) {
        Ok(rows) => {
            for row in rows {
                let user = row.get("user").and_then(Value::as_str).unwrap_or_default().to_string();
                let arn = row.get("arn").and_then(Value::as_str).map(str::to_string);
                out.push(item("SecureBase::IAM::CredentialReportEntry", user, account, GLOBAL, Value::Object(row)).arn(arn));
            }
        }
        Err(e) => out.error(SERVICE, GLOBAL, format!("GetCredentialReport: {e}")),
    }
}

/// The report is CSV with a header row; IAM names and ARNs cannot hold commas or quotes.
fn parse_credential_report(text: &str) -> Result<Vec<Map<String, Value>>, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().ok_or("the report is empty")?.split(',').map(str::trim).collect();
    if !header.contains(&"user") {
        return Err(format!("expected a header row with a `user` column, found {:?}", header.join(",")));
    }
    lines
        .enumerate()
        .map(|(i, line)| {
            let cells: Vec<&str> = line.split(',').collect();
            if cells.len() != header.len() {
                return Err(format!("row {}: expected {} columns, found {}", i + 2, header.len(), cells.len()));
            }
            Ok(header.iter().zip(cells).map(|(h, c)| (h.to_string(), json!(c.trim()))).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_credential_report;

    #[test]
    fn credential_report_rows_keep_the_report_s_column_names_and_values() {
        let text = "user,arn,password_enabled,mfa_active\n<root_account>,arn:aws:iam::1:root,not_supported,true\nalice,arn:aws:iam::1:user/alice,true,false\n";
        let rows = parse_credential_report(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["user"], "<root_account>");
        assert_eq!(rows[1]["mfa_active"], "false");
        let err = parse_credential_report("user,arn\nalice\n").unwrap_err();
        assert_eq!(err, "row 2: expected 2 columns, found 1");
        assert!(parse_credential_report("").is_err());
        assert!(parse_credential_report("name,arn\n").unwrap_err().contains("`user` column"));
    }
}
