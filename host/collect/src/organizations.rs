//! AWS Organizations, twice. Discovery: every active member account the default
//! credentials can list, each collected through the `[organization]` role name (accounts
//! the file lists itself keep their own settings). Collection: each account's place in its
//! organization, as our own `SecureBase::Organizations::Organization` (AWS Config records
//! none), with the organization's service control policies where they can be read.

use crate::sink::{ItemExt, Sink, is_code, item};
use crate::{Account, AccountsFile, CollectError, CollectOptions, Scope, client};
use aws_config::{BehaviorVersion, Region};
use serde_json::{Value, json};

pub(crate) const SERVICE: &str = "organizations";

/// One per account, its shape declared in `host/inventory/README.md`: the membership, and
/// in the management account (only there can they be listed) the SCPs with their
/// documents and targets, and every account with the OUs above it.
const ORGANIZATION: &str = "SecureBase::Organizations::Organization";

/// The file's accounts plus the organization's, in that order; the file's own entry wins
/// for an account listed both ways. Without `[organization]`, the file as it is.
pub async fn discover(file: &AccountsFile, options: &CollectOptions) -> Result<AccountsFile, CollectError> {
    let Some(org) = &file.organization else { return Ok(file.clone()) };
    let home = org.regions.first().cloned().unwrap_or_else(|| "us-east-1".into());
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(Region::new(home.clone()));
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    let scope = Scope { account: "", region: &home, config: &config, options, skip: &[] };
    let orgs = client!(aws_sdk_organizations, &scope);
    let listed = orgs.list_accounts().into_paginator().send().collect::<Result<Vec<_>, _>>().await.map_err(|e| CollectError {
        service: "organizations".into(),
        region: "global".into(),
        message: format!("ListAccounts: {}", crate::sink::describe(&e)),
    })?;
    let mut out = file.clone();
    for a in listed.iter().flat_map(|page| page.accounts()) {
        let (Some(id), Some(status)) = (a.id(), a.status()) else { continue };
        if status.as_str() != "ACTIVE" || org.exclude.iter().any(|x| x == id) || out.accounts.iter().any(|x| x.id == id) {
            continue;
        }
        out.accounts.push(Account {
            id: id.to_string(),
            name: a.name().map(str::to_string),
            role_arn: Some(format!("arn:aws:iam::{id}:role/{}", org.role_name)),
            external_id: org.external_id.clone(),
            regions: org.regions.clone(),
        });
    }
    Ok(out)
}

/// The account's organization and, in its management account, the SCPs (see [`ORGANIZATION`]).
pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants(ORGANIZATION) {
        return out;
    }
    let orgs = client!(aws_sdk_organizations, s);
    let org = match orgs.describe_organization().send().await {
        Ok(answer) => answer.organization,
        // A standalone account: that is the answer, not a failure.
        Err(e) if is_code(&e, &["AWSOrganizationsNotInUseException"]) => None,
        Err(e) => {
            out.call::<(), _>(SERVICE, s.region, "DescribeOrganization", Err(e));
            return out;
        }
    };
    let Some(org) = org else {
        out.push(item(ORGANIZATION, s.account, s.account, s.region, json!({ "inOrganization": false })));
        return out;
    };
    let management = org.master_account_id() == Some(s.account);
    let config = json!({
        "inOrganization": true,
        "id": org.id(),
        "arn": org.arn(),
        "featureSet": org.feature_set().map(|f| f.as_str()),
        "managementAccountId": org.master_account_id(),
        "isManagementAccount": management,
    });
    let mut it =
        item(ORGANIZATION, org.id().unwrap_or(s.account), s.account, s.region, config).named(org.id()).arn(org.arn().map(str::to_string));
    // Without all features no SCP applies, and there are none to list.
    let all_features = org.feature_set().is_some_and(|f| f.as_str() == "ALL");
    if management && all_features {
        let mut supplementary = serde_json::Map::new();
        if let Some(policies) = service_control_policies(s, &orgs, &mut out).await {
            supplementary.insert("ServiceControlPolicies".into(), Value::Array(policies));
        }
        if let Some(accounts) = accounts_with_parents(s, &orgs, &mut out).await {
            supplementary.insert("Accounts".into(), Value::Array(accounts));
        }
        if !supplementary.is_empty() {
            it = it.supplementary(Value::Object(supplementary));
        }
    }
    out.push(it);
    out
}

/// Every SCP of the organization with its document and targets, or `None` with the
/// failed call in `out`: the item then carries no `ServiceControlPolicies`, so no check
/// mistakes "not read" for "none" (the organization itself is still recorded, which the
/// membership check needs).
async fn service_control_policies(s: &Scope<'_>, orgs: &aws_sdk_organizations::Client, out: &mut Sink) -> Option<Vec<Value>> {
    use aws_sdk_organizations::types::PolicyType;
    let pages = orgs.list_policies().filter(PolicyType::ServiceControlPolicy).into_paginator().send().collect::<Result<Vec<_>, _>>().await;
    let pages = out.call(SERVICE, s.region, "ListPolicies", pages)?;
    let mut policies = Vec::new();
    for summary in pages.iter().flat_map(|p| p.policies()) {
        let Some(id) = summary.id() else { continue };
        let described = orgs.describe_policy().policy_id(id).send().await;
        let described = out.call(SERVICE, s.region, &format!("DescribePolicy {id}"), described)?;
        let targets = orgs.list_targets_for_policy().policy_id(id).into_paginator().send().collect::<Result<Vec<_>, _>>().await;
        let targets = out.call(SERVICE, s.region, &format!("ListTargetsForPolicy {id}"), targets)?;
        // The document as JSON, so checks read statements, not a string (kept as the
        // string if it is not JSON, which AWS does not allow).
        let text = described.policy().and_then(|p| p.content()).unwrap_or_default();
        let content = serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_string()));
        let targets: Vec<Value> = targets
            .iter()
            .flat_map(|p| p.targets())
            .map(|t| json!({ "targetId": t.target_id(), "type": t.r#type().map(|x| x.as_str()), "name": t.name() }))
            .collect();
        policies.push(json!({
            "id": id,
            "name": summary.name(),
            "awsManaged": summary.aws_managed(),
            "content": content,
            "targets": targets,
        }));
    }
    Some(policies)
}

/// Every account of the organization with the ids above it (its OU, that OU's parent, ...,
/// the root), walking the tree from each root: an SCP attached to an OU restricts the
/// accounts below it, so a check needs each account's ancestry to tell which accounts
/// a policy covers. `None` with the failed call in `out`, as for the policies: a partial
/// tree would make a covered organization look uncovered or the reverse.
async fn accounts_with_parents(s: &Scope<'_>, orgs: &aws_sdk_organizations::Client, out: &mut Sink) -> Option<Vec<Value>> {
    let roots = orgs.list_roots().into_paginator().send().collect::<Result<Vec<_>, _>>().await;
    let roots = out.call(SERVICE, s.region, "ListRoots", roots)?;
    // (parent id, the ids from that parent up to its root), breadth first.
    let mut pending: std::collections::VecDeque<(String, Vec<String>)> =
        roots.iter().flat_map(|p| p.roots()).filter_map(|r| r.id()).map(|id| (id.to_string(), vec![id.to_string()])).collect();
    let mut accounts = Vec::new();
    while let Some((parent, path)) = pending.pop_front() {
        let listed = orgs.list_accounts_for_parent().parent_id(&parent).into_paginator().send().collect::<Result<Vec<_>, _>>().await;
        let listed = out.call(SERVICE, s.region, &format!("ListAccountsForParent {parent}"), listed)?;
        for a in listed.iter().flat_map(|p| p.accounts()) {
            accounts.push(json!({
                "id": a.id(),
                "name": a.name(),
                "status": a.status().map(|x| x.as_str()),
                "parents": path,
            }));
        }
        let units =
            orgs.list_organizational_units_for_parent().parent_id(&parent).into_paginator().send().collect::<Result<Vec<_>, _>>().await;
        let units = out.call(SERVICE, s.region, &format!("ListOrganizationalUnitsForParent {parent}"), units)?;
        for ou in units.iter().flat_map(|p| p.organizational_units()).filter_map(|u| u.id()) {
            let mut below = vec![ou.to_string()];
            below.extend(path.iter().cloned());
            pending.push_back((ou.to_string(), below));
        }
    }
    Some(accounts)
}
