//! A trail that is logging covers every enabled region.

use crate::trails::{TRAIL, logging, name};
use securebase_plugin_sdk::resource_types::REGION;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudtrail_multi_region_enabled",
        title: "CloudTrail is enabled in all regions",
        severity: Severity::High,
        resource_types: &[REGION],
        rationale: "CloudTrail is the record of who did what; activity in a region no trail covers leaves no trace.",
        remediation: "aws cloudtrail create-trail --name org-trail --s3-bucket-name BUCKET --is-multi-region-trail && aws cloudtrail start-logging --name org-trail",
        references: &[
            reference("aws-config-rule", "MULTI_REGION_CLOUD_TRAIL_ENABLED"),
            reference("prowler", "cloudtrail_multi_region_enabled"),
            reference("cis", "3.1"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let trails = inv.items(TRAIL);
    for region in inv.items(REGION).iter() {
        let here = &region.resource_id;
        let covering = trails.iter().find(|t| logging(t) && (t.config_bool("/IsMultiRegionTrail") == Some(true) || &t.region == here));
        match covering {
            Some(t) => out.pass(region, format!("Trail {} records {here}.", name(t))),
            None => out.fail(region, format!("No logging trail covers {here}.")),
        }
    }
}
