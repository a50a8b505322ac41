//! Regions: which of the named regions the account has enabled (the
//! `SecureBase::Account::Region` anchors), and the collectors that run once per region
//! (the table's [`Reach::Regional`] entries), each concurrently with the others.

use crate::collectors::{COLLECTORS, Reach};
use crate::sink::{Sink, item};
use crate::{Account, CollectOptions, Scope, client};
use aws_config::SdkConfig;
use futures_util::future::join_all;
use serde_json::json;

/// The named regions with whether each is enabled; anchors for the enabled ones, an error
/// entry for each that is not (an opt-in region the account has not opted into).
pub(crate) async fn enabled_regions(account: &Account, base: &SdkConfig, options: &CollectOptions, sink: &mut Sink) -> Vec<(String, bool)> {
    let home = account.regions.first().map(String::as_str).unwrap_or("us-east-1");
    let scope = Scope { account: &account.id, region: home, config: base, options, skip: &[] };
    let ec2 = client!(aws_sdk_ec2, &scope);
    let known = sink.call("ec2", home, "DescribeRegions", ec2.describe_regions().all_regions(true).send().await);
    let mut out = vec![];
    for region in &account.regions {
        let status = match &known {
            // Without the list, assume the region is usable: its own calls will say if not.
            None => Some("unknown".to_string()),
            Some(k) => k
                .regions()
                .iter()
                .find(|r| r.region_name() == Some(region.as_str()))
                .map(|r| r.opt_in_status().unwrap_or("opt-in-not-required").to_string()),
        };
        match status {
            Some(s) if s != "not-opted-in" => {
                sink.push(item(
                    "SecureBase::Account::Region",
                    region,
                    &account.id,
                    region,
                    json!({ "regionName": region, "optInStatus": s }),
                ));
                out.push((region.clone(), true));
            }
            Some(_) => {
                sink.error("ec2", region, format!("region {region} is an opt-in region this account has not enabled; skipped"));
                out.push((region.clone(), false));
            }
            None => {
                sink.error("ec2", region, format!("region {region} is not a region this account knows; skipped"));
                out.push((region.clone(), false));
            }
        }
    }
    out
}

/// Every regional collector of the table in one region, concurrently.
pub(crate) async fn collect(scope: &Scope<'_>) -> Sink {
    let parts = join_all(COLLECTORS.iter().filter(|c| c.reach == Reach::Regional).map(|c| (c.run)(scope))).await;
    let mut sink = Sink::default();
    for part in parts {
        sink.merge(part);
    }
    sink
}
