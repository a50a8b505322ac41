//! Live collection from AWS with the official SDK for Rust. An accounts file names the
//! accounts, their regions and the read-only role to assume; each collector turns API
//! answers into configuration items of the inventory's one shape (the shape AWS Config
//! records), so a plugin cannot tell a live scan from a snapshot.
//!
//! Failures are values: a service or region that cannot be read becomes an
//! [`CollectError`] entry in that account's [`AccountCollection`], and the rest of the
//! account, and every other account, is still collected. Credentials come from the
//! default chain or an assumed role and are never written anywhere.
//!
//! Status: S3 buckets are collected; the other services the catalogue reads are to come.

mod accounts;
mod s3;

pub use accounts::{Account, AccountsError, AccountsFile, check_role_arn, is_region};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use securebase_inventory::{AccountInventory, ConfigItem};
use serde::Serialize;

/// The services collected live so far.
pub const COLLECTED_SERVICES: &[&str] = &["s3"];

/// Where and how to collect.
#[derive(Debug, Clone, Default)]
pub struct CollectOptions {
    /// A local AWS-compatible endpoint (moto, LocalStack) instead of AWS.
    pub endpoint_url: Option<String>,
}

/// One part of an account that could not be collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectError {
    /// The service (`s3`, `sts`).
    pub service: String,
    /// The region, or `global`.
    pub region: String,
    /// What AWS answered.
    pub message: String,
}

/// What was collected of one account.
#[derive(Debug)]
pub struct AccountCollection {
    /// The account id.
    pub account_id: String,
    /// Its inventory (possibly partial: see `errors`); `None` if nothing could be read.
    pub inventory: Option<AccountInventory>,
    /// What could not be read.
    pub errors: Vec<CollectError>,
}

/// The SDK configuration for one account: the default credential chain, or the
/// account's role assumed with its external id.
async fn sdk_config(account: &Account, region: &str, options: &CollectOptions) -> SdkConfig {
    let loader = || {
        let mut l = aws_config::defaults(BehaviorVersion::latest()).region(Region::new(region.to_string()));
        if let Some(url) = &options.endpoint_url {
            l = l.endpoint_url(url);
        }
        l
    };
    let base = loader().load().await;
    let Some(role) = &account.role_arn else { return base };
    let mut provider = aws_config::sts::AssumeRoleProvider::builder(role)
        .session_name("securebase-collect")
        .region(Region::new(region.to_string()))
        .configure(&base);
    if let Some(external_id) = &account.external_id {
        provider = provider.external_id(external_id);
    }
    loader().credentials_provider(provider.build().await).load().await
}

/// Collects one account: every service, every region named, errors kept as entries.
pub async fn collect_account(account: &Account, options: &CollectOptions) -> AccountCollection {
    let home = account.regions.first().cloned().unwrap_or_else(|| "us-east-1".into());
    let config = sdk_config(account, &home, options).await;
    let mut items: Vec<ConfigItem> = vec![];
    let mut errors = vec![];
    match s3::collect(&config, &account.id, options.endpoint_url.is_some()).await {
        Ok((found, mut errs)) => {
            items.extend(found);
            errors.append(&mut errs);
        }
        Err(e) => errors.push(e),
    }
    let captured_at = securebase_inventory::time::now_rfc3339();
    let inventory = AccountInventory::new("collect", &account.id, account.name.clone(), captured_at, items)
        .map_err(|e| errors.push(CollectError { service: "inventory".into(), region: "global".into(), message: e.to_string() }))
        .ok();
    AccountCollection { account_id: account.id.clone(), inventory, errors }
}

/// Collects every account of the file, `concurrency` at a time, in file order.
pub async fn collect_all(
    file: &AccountsFile,
    options: &CollectOptions,
    concurrency: usize,
    progress: &(dyn Fn(&AccountCollection) + Sync),
) -> Vec<AccountCollection> {
    use std::sync::Arc;
    let limit = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, account) in file.accounts.iter().cloned().enumerate() {
        let (limit, options) = (limit.clone(), options.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore open");
            (i, collect_account(&account, &options).await)
        });
    }
    let mut done = vec![];
    while let Some(joined) = tasks.join_next().await {
        let (i, collection) = joined.expect("collection task");
        progress(&collection);
        done.push((i, collection));
    }
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, c)| c).collect()
}
