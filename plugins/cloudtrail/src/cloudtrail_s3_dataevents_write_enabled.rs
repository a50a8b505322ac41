//! Object-level logging of S3 write events is on for all buckets.

use crate::trails::{TRAIL, logging, name, records_s3_data_events};
use securebase_plugin_sdk::resource_types::ACCOUNT;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "cloudtrail_s3_dataevents_write_enabled",
        title: "Object-level logging for write events is enabled for S3 buckets",
        severity: Severity::Low,
        resource_types: &[ACCOUNT],
        rationale: "Management events do not show who wrote or deleted which object; S3 data events do.",
        remediation: "aws cloudtrail put-event-selectors --trail-name TRAIL --event-selectors '[{\"ReadWriteType\":\"WriteOnly\",\"DataResources\":[{\"Type\":\"AWS::S3::Object\",\"Values\":[\"arn:aws:s3\"]}]}]'",
        references: &[
            reference("aws-config-rule", "CLOUDTRAIL_S3_DATAEVENTS_ENABLED"),
            reference("prowler", "cloudtrail_s3_dataevents_write_enabled"),
            reference("cis", "3.8"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let trails = inv.items(TRAIL);
    let recording = trails.iter().find(|t| logging(t) && records_s3_data_events(t, true));
    for account in inv.items(ACCOUNT).iter() {
        match recording {
            Some(t) => out.pass(account, format!("Trail {} records S3 object-level write events for all buckets.", name(t))),
            None => out.fail(account, "No logging trail records S3 object-level write events for all buckets."),
        }
    }
}
