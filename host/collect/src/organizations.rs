//! Discovery from AWS Organizations: every active member account the default
//! credentials can list, each collected through the `[organization]` role name. Accounts
//! the file lists itself keep their own settings.

use crate::{Account, AccountsFile, CollectError, CollectOptions, Scope, client};
use aws_config::{BehaviorVersion, Region};

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
