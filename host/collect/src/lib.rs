//! Live collection from AWS with the official SDK for Rust. An accounts file (or AWS
//! Organizations) names the accounts, their regions and the read-only role to assume;
//! each collector turns API answers into configuration items of the inventory's one
//! shape (the shape AWS Config records), so a plugin cannot tell a live scan from a
//! snapshot.
//!
//! Failures are values: a service or region that cannot be read becomes a
//! [`CollectError`] entry in that account's [`AccountCollection`], and the rest of the
//! account, and every other account, is still collected. Throttling and transient errors
//! are retried with backoff by the SDK's retry strategy before they become entries.
//! Credentials come from the default chain or an assumed role and are never written
//! anywhere.
//!
//! The collectors are one table, [`COLLECTORS`]: each entry names its service, where it
//! runs (once per account or per region), the IAM actions it calls and its function, and
//! the fan-out runs exactly the table. Every API call is an IAM action the read-only role
//! must grant: `infra/iam/securebase-readonly-policy.json` lists exactly the table's
//! actions ([`read_only_actions`]), which a unit test compares with the file, and a test
//! records the calls of a full collection ([`CallLog`]) and compares them with both.

mod accessanalyzer;
mod account;
mod accounts;
mod acm;
mod apigateway;
mod autoscaling;
mod backup;
mod calls;
mod cloudfront;
mod cloudtrail;
mod cloudwatch;
mod collectors;
mod config;
mod dynamodb;
mod ec2;
mod ecr;
mod ecs;
mod efs;
mod eks;
mod elasticache;
mod elb;
mod elbv2;
mod guardduty;
mod iam;
mod inspector;
mod kms;
mod lambda;
mod macie;
mod opensearch;
mod organizations;
mod rds;
mod redshift;
mod regional;
mod s3;
mod secretsmanager;
mod securityhub;
mod sink;
mod sns;
mod sqs;
mod ssm;

pub use accounts::{Account, AccountsError, AccountsFile, Organization, check_role_arn, is_region};
pub use aws_sdk_sts::config::Credentials;
pub use calls::{CallLog, iam_action};
pub use collectors::{
    CALLER_ACTIONS, COLLECTORS, Collector, ROLE_ACTIONS_OUTSIDE_COLLECTORS, Reach, UNPERMISSIONED_ACTIONS, read_only_actions,
};
pub use organizations::discover;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use futures_util::future::join_all;
use securebase_inventory::{AccountInventory, ConfigItem};
use serde::Serialize;
use sink::Sink;
use std::sync::Arc;
use std::time::Duration;

/// The services collected live: those of [`COLLECTORS`] (a test holds them equal).
/// Every family of the check catalogue is here.
pub const COLLECTED_SERVICES: &[&str] = &[
    "access-analyzer",
    "account",
    "acm",
    "apigateway",
    "autoscaling",
    "backup",
    "cloudfront",
    "cloudtrail",
    "cloudwatch",
    "config",
    "dynamodb",
    "ec2",
    "ecr",
    "ecs",
    "efs",
    "eks",
    "elasticache",
    "elasticloadbalancing",
    "es",
    "guardduty",
    "iam",
    "inspector2",
    "kms",
    "lambda",
    "logs",
    "macie2",
    "organizations",
    "rds",
    "redshift",
    "s3",
    "secretsmanager",
    "securityhub",
    "sns",
    "sqs",
    "ssm",
];

/// Where configuration items come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Source {
    /// Direct API calls for everything (works whether or not AWS Config is on).
    #[default]
    Direct,
    /// Each account's own AWS Config (`ListDiscoveredResources` + `BatchGetResourceConfig`)
    /// for the types its recorder records, direct calls for the rest and where it is off.
    Config,
    /// An organization-wide AWS Config aggregator (`SelectAggregateResourceConfig`) in the
    /// named region, queried with the caller's own credentials (the account that holds the
    /// aggregator), direct calls through each account's role for what it does not hold.
    Aggregator {
        /// The aggregator's name.
        name: String,
        /// The region it lives in.
        region: String,
    },
}

impl std::str::FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "direct" => Ok(Self::Direct),
            "config" => Ok(Self::Config),
            _ => match s.strip_prefix("aggregator:").and_then(|rest| rest.split_once('@')) {
                Some((name, region)) if !name.is_empty() && is_region(region) => {
                    Ok(Self::Aggregator { name: name.into(), region: region.into() })
                }
                _ => Err(format!("expected direct, config or aggregator:NAME@REGION, found {s:?}")),
            },
        }
    }
}

/// Where and how to collect.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// A local AWS-compatible endpoint (moto, LocalStack) instead of AWS.
    pub endpoint_url: Option<String>,
    /// Where items come from.
    pub source: Source,
    /// Regions of one account collected at once.
    pub region_concurrency: usize,
    /// Attempts per call, retries with exponential backoff included (throttling, 5xx,
    /// timeouts).
    pub max_attempts: u32,
    /// The first retry's backoff; later ones grow exponentially, with jitter.
    pub initial_backoff: Duration,
    /// Longest a single call may take, retries included.
    pub call_timeout: Duration,
    /// Records every API call (for the IAM policy test and `--show-calls`).
    pub calls: Option<CallLog>,
    /// The service's tenant these accounts belong to. Its id goes into the role session
    /// name (so the account's CloudTrail says whose scan it was), and errors about
    /// credentials then name neither the service's own account nor its credentials.
    pub tenant: Option<String>,
    /// Credentials to start from instead of the default chain's (roles are assumed with
    /// them): for a program that holds its own, and for tests that must not depend on
    /// the machine's environment. Printed redacted.
    pub credentials: Option<Credentials>,
}

impl Default for CollectOptions {
    fn default() -> Self {
        Self {
            endpoint_url: None,
            source: Source::Direct,
            region_concurrency: 4,
            max_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            call_timeout: Duration::from_secs(120),
            calls: None,
            tenant: None,
            credentials: None,
        }
    }
}

/// One part of an account that could not be collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectError {
    /// The service (`s3`, `ec2`, `sts`).
    pub service: String,
    /// The region, or `global`.
    pub region: String,
    /// The call and what AWS answered.
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

/// What a collector works on: one account, one region, one SDK configuration, and
/// which resource types it should produce (some may come from AWS Config instead).
pub(crate) struct Scope<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub config: &'a SdkConfig,
    pub options: &'a CollectOptions,
    skip: &'a [String],
}

impl Scope<'_> {
    /// Whether a direct collector should produce `resource_type` here.
    pub fn wants(&self, resource_type: &str) -> bool {
        !self.skip.iter().any(|t| t == resource_type)
    }
}

/// Builds a service client from a scope, with the call log and the local-endpoint
/// adjustments attached.
macro_rules! client {
    ($sdk:ident, $scope:expr) => {{
        let scope: &$crate::Scope<'_> = $scope;
        let mut b = $sdk::config::Builder::from(scope.config);
        for i in $crate::calls::interceptors(scope.options) {
            b = b.interceptor(i);
        }
        $sdk::Client::from_conf(b.build())
    }};
}
pub(crate) use client;

/// The SDK configuration for one account: the default credential chain, or the
/// account's role assumed with its external id. Credentials are cached by the provider
/// and shared by every region's clients.
pub(crate) async fn sdk_config(account: &Account, region: &str, options: &CollectOptions) -> SdkConfig {
    let loader = || {
        let mut l = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .retry_config(
                aws_config::retry::RetryConfig::standard()
                    .with_max_attempts(options.max_attempts.max(1))
                    .with_initial_backoff(options.initial_backoff),
            )
            .timeout_config(aws_config::timeout::TimeoutConfig::builder().operation_timeout(options.call_timeout).build());
        if let Some(url) = &options.endpoint_url {
            l = l.endpoint_url(url);
        }
        if let Some(credentials) = &options.credentials {
            l = l.credentials_provider(credentials.clone());
        }
        l
    };
    let base = loader().load().await;
    let Some(role) = &account.role_arn else { return base };
    let mut provider = aws_config::sts::AssumeRoleProvider::builder(role)
        .session_name(options.tenant.as_ref().map_or_else(|| "securebase-collect".to_string(), |t| format!("securebase-{t}")))
        .region(Region::new(region.to_string()))
        .configure(&base);
    if let Some(external_id) = &account.external_id {
        provider = provider.external_id(external_id);
    }
    loader().credentials_provider(provider.build().await).load().await
}

/// Collects one account: global services once, then every region named, `region_concurrency`
/// at a time; errors kept as entries.
pub async fn collect_account(account: &Account, options: &CollectOptions) -> AccountCollection {
    let home = account.regions.first().cloned().unwrap_or_else(|| "us-east-1".into());
    let base = sdk_config(account, &home, options).await;
    let mut sink = Sink::default();

    // Whose credentials these are, before anything else: a role that cannot be assumed,
    // missing credentials or a role of another account is one clear error for the
    // account, not one per call. (GetCallerIdentity needs no permission.)
    let identity = Scope { account: &account.id, region: &home, config: &base, options, skip: &[] };
    let who = client!(aws_sdk_sts, &identity).get_caller_identity().send().await;
    let problem = match who {
        Ok(who) if who.account() == Some(account.id.as_str()) => None,
        // A tenant is told what to fix on its side, never which account or principal
        // the service itself runs as (AWS's own messages name both).
        Ok(_) if options.tenant.is_some() => {
            Some(format!("the credentials are for another account than {}: check the role ARN", account.id))
        }
        Err(_) if options.tenant.is_some() => Some(match &account.role_arn {
            Some(role) => format!(
                "cannot assume {role}: its trust policy must allow the SecureBase service with this tenant's external ID \
                 (sts:ExternalId = aws_external_id of GET /v1/tenants/{{id}})"
            ),
            None => "cannot get credentials".to_string(),
        }),
        Ok(who) => {
            Some(format!("the credentials are for account {}, not {}: check the role ARN", who.account().unwrap_or("?"), account.id))
        }
        Err(e) => Some(format!(
            "cannot get credentials{}: {}",
            account.role_arn.as_ref().map(|r| format!(" by assuming {r}")).unwrap_or_default(),
            sink::describe(&e)
        )),
    };
    if let Some(message) = problem {
        let errors = vec![CollectError { service: "sts".into(), region: "global".into(), message }];
        return AccountCollection { account_id: account.id.clone(), inventory: None, errors };
    }
    sink.push(sink::item(
        "SecureBase::Account::Account",
        &account.id,
        &account.id,
        "global",
        serde_json::json!({ "accountId": account.id, "accountName": account.name }),
    ));

    // Which named regions are enabled: an opt-in region the account has not enabled is an
    // error entry, not a hang or a pile of identical failures.
    let regions = regional::enabled_regions(account, &base, options, &mut sink).await;

    // What AWS Config already holds, when it is the source; direct calls skip those types.
    let from_config = config::source(account, &base, &regions, options).await;

    let global_skip = from_config.skip("global");
    let global = Scope { account: &account.id, region: "global", config: &base, options, skip: &global_skip };
    let home_skip = from_config.skip(&home);
    let home_scope = Scope { account: &account.id, region: &home, config: &base, options, skip: &home_skip };
    // The table's once-per-account collectors, concurrently.
    let once = COLLECTORS.iter().filter_map(|c| match c.reach {
        Reach::Global => Some((c.run)(&global)),
        Reach::Home => Some((c.run)(&home_scope)),
        Reach::Regional => None,
    });
    for part in join_all(once).await {
        sink.merge(part);
    }

    let limit = Arc::new(tokio::sync::Semaphore::new(options.region_concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (region, _) in regions.iter().filter(|(_, enabled)| *enabled) {
        let (limit, options, region) = (limit.clone(), options.clone(), region.clone());
        let config = base.to_builder().region(Region::new(region.clone())).build();
        let skip = from_config.skip(&region);
        let account = account.id.clone();
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore open");
            let scope = Scope { account: &account, region: &region, config: &config, options: &options, skip: &skip };
            regional::collect(&scope).await
        });
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(s) => sink.merge(s),
            Err(e) => sink.error("collect", "?", format!("a region's collection task failed: {e}")),
        }
    }
    sink.items.extend(from_config.items);
    sink.errors.extend(from_config.errors);

    let mut items: Vec<ConfigItem> = sink.items.into_iter().map(lambda::redact).collect();
    let mut errors = sink.errors;
    // Stable output: the same account collected twice writes the same file.
    items.sort_by(|a, b| (&a.resource_type, &a.aws_region, &a.resource_id).cmp(&(&b.resource_type, &b.aws_region, &b.resource_id)));
    items.dedup_by(|a, b| a.resource_type == b.resource_type && a.resource_id == b.resource_id);
    errors.sort_by(|a, b| (&a.service, &a.region, &a.message).cmp(&(&b.service, &b.region, &b.message)));
    let captured_at = securebase_inventory::time::now_rfc3339();
    let inventory = AccountInventory::new("collect", &account.id, account.name.clone(), captured_at, items)
        .map_err(|e| errors.push(CollectError { service: "inventory".into(), region: "global".into(), message: e.to_string() }))
        .ok();
    AccountCollection { account_id: account.id.clone(), inventory, errors }
}

/// Runs one account's collection; a panic in it (a bug in a collector or the SDK)
/// becomes that account's error entry instead of ending the whole collection.
async fn guarded(account_id: &str, collection: impl std::future::Future<Output = AccountCollection>) -> AccountCollection {
    use futures_util::FutureExt;
    match std::panic::AssertUnwindSafe(collection).catch_unwind().await {
        Ok(c) => c,
        Err(payload) => {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            tracing::error!(account = account_id, panic = %why, "collection of an account panicked");
            AccountCollection {
                account_id: account_id.to_string(),
                inventory: None,
                errors: vec![CollectError {
                    service: "collect".into(),
                    region: "global".into(),
                    message: format!(
                        "the collection of this account stopped on an internal error ({why}); the other accounts are complete"
                    ),
                }],
            }
        }
    }
}

/// Collects every account of the file, `concurrency` at a time; `progress` hears of
/// each account as soon as it is in (so evaluation can start), results come back in
/// file order.
pub async fn collect_all(
    file: &AccountsFile,
    options: &CollectOptions,
    concurrency: usize,
    progress: &(dyn Fn(&AccountCollection) + Sync),
) -> Vec<AccountCollection> {
    collect_all_in(file, options, &Slots::new(concurrency), None, progress).await
}

/// Account slots several collections share, so that they overlap without more accounts
/// in flight than there are slots: a worker starts its next batch of accounts while the
/// last accounts of the one before are still being collected, instead of waiting for
/// the slowest of them with its other slots idle. The slots also count the accounts
/// reserved for them and not yet started ([`Slots::waiting`]), so the caller knows when
/// all the work in hand is under way.
#[derive(Clone)]
pub struct Slots {
    permits: Arc<tokio::sync::Semaphore>,
    changed: Arc<tokio::sync::Notify>,
    waiting: Arc<std::sync::atomic::AtomicUsize>,
}

impl Slots {
    /// `n` accounts at a time (at least one).
    pub fn new(n: usize) -> Self {
        Self {
            permits: Arc::new(tokio::sync::Semaphore::new(n.max(1))),
            changed: Arc::new(tokio::sync::Notify::new()),
            waiting: Arc::default(),
        }
    }

    /// Slots no account holds now.
    pub fn free(&self) -> usize {
        self.permits.available_permits()
    }

    /// Accounts reserved and not yet holding a slot, over every live [`Reservation`].
    pub fn waiting(&self) -> usize {
        self.waiting.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Counts `accounts` as waiting from now (before the caller even knows which of
    /// them it will collect) until each takes a slot in [`collect_all_in`] or the
    /// reservation is dropped, which gives back those that never started.
    pub fn reserve(&self, accounts: usize) -> Reservation {
        self.waiting.fetch_add(accounts, std::sync::atomic::Ordering::AcqRel);
        Reservation { slots: self.clone(), left: std::sync::atomic::AtomicUsize::new(accounts) }
    }

    /// Resolves when an account's collection ends and gives its slot back, or when the
    /// last waiting account takes one (or at once if either happened since the last
    /// call): the moments a caller may find room for more work. One waiter is woken
    /// per event, so one loop, not several, should wait on a `Slots`.
    pub async fn changed(&self) {
        self.changed.notified().await
    }
}

/// Accounts counted as waiting for [`Slots`]; see [`Slots::reserve`].
pub struct Reservation {
    slots: Slots,
    left: std::sync::atomic::AtomicUsize,
}

impl Reservation {
    /// Gives back up to `n` of the accounts still reserved.
    fn release(&self, n: usize) {
        use std::sync::atomic::Ordering;
        let (Ok(before) | Err(before)) = self.left.fetch_update(Ordering::AcqRel, Ordering::Acquire, |l| Some(l - l.min(n)));
        let given = before.min(n);
        if given > 0 && self.slots.waiting.fetch_sub(given, Ordering::AcqRel) == given {
            self.slots.changed.notify_one();
        }
    }

    /// Keeps only `n` accounts reserved: the ones a collection is about to start. Called
    /// once, before any of them can take a slot (a release between its read and its
    /// give-back would be counted twice).
    fn keep(&self, n: usize) {
        let left = self.left.load(std::sync::atomic::Ordering::Acquire);
        self.release(left.saturating_sub(n));
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.release(usize::MAX);
    }
}

/// [`collect_all`] within shared [`Slots`]. A `reservation` made for these accounts
/// (see [`Slots::reserve`]) is trimmed to the accounts of `file` and given back one by
/// one as each takes its slot.
pub async fn collect_all_in(
    file: &AccountsFile,
    options: &CollectOptions,
    slots: &Slots,
    reservation: Option<Reservation>,
    progress: &(dyn Fn(&AccountCollection) + Sync),
) -> Vec<AccountCollection> {
    let reservation = reservation.map(Arc::new);
    if let Some(r) = &reservation {
        r.keep(file.accounts.len());
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, account) in file.accounts.iter().cloned().enumerate() {
        let (slots, options, reservation) = (slots.clone(), options.clone(), reservation.clone());
        tasks.spawn(async move {
            let permit = slots.permits.acquire_owned().await.expect("semaphore open");
            if let Some(r) = &reservation {
                r.release(1);
            }
            let collection = guarded(&account.id, collect_account(&account, &options)).await;
            drop(permit);
            slots.changed.notify_one();
            (i, collection)
        });
    }
    let mut done = vec![];
    while let Some(joined) = tasks.join_next().await {
        // Tasks are never cancelled and `guarded` catches panics, so every task returns.
        let (i, collection) = joined.expect("collection tasks are neither cancelled nor panic");
        progress(&collection);
        done.push((i, collection));
    }
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reserved_accounts_wait_until_they_start_or_are_given_back() {
        let slots = Slots::new(2);
        let (a, b) = (slots.reserve(3), slots.reserve(2));
        assert_eq!(slots.waiting(), 5);
        a.keep(1);
        assert_eq!(slots.waiting(), 3, "two of a's accounts will not be collected");
        a.release(1);
        a.release(1);
        assert_eq!(slots.waiting(), 2, "a's last account started; nothing more to give back");
        // A collection that starts none of its accounts gives its reservation back, and
        // wakes whoever waits for room.
        let none = AccountsFile { accounts: vec![], organization: None };
        assert!(collect_all_in(&none, &CollectOptions::default(), &slots, Some(b), &|_| {}).await.is_empty());
        assert_eq!(slots.waiting(), 0);
        tokio::time::timeout(Duration::from_secs(5), slots.changed()).await.expect("told that no account waits");
        drop(a);
        assert_eq!(slots.waiting(), 0);
    }

    #[tokio::test]
    async fn a_collection_that_panics_is_one_error_entry_of_its_account() {
        let ok =
            guarded("111111111111", async { AccountCollection { account_id: "111111111111".into(), inventory: None, errors: vec![] } });
        assert!(ok.await.errors.is_empty());
        let failed = guarded("222222222222", async {
            if "222222222222".starts_with('2') {
                panic!("index out of bounds in a collector");
            }
            AccountCollection { account_id: "222222222222".into(), inventory: None, errors: vec![] }
        })
        .await;
        assert_eq!(failed.account_id, "222222222222");
        assert_eq!(failed.errors.len(), 1, "{:?}", failed.errors);
        assert_eq!(failed.errors[0].service, "collect");
        assert!(failed.errors[0].message.contains("index out of bounds in a collector"), "{}", failed.errors[0].message);
    }
}
