//! An AWS Config recorder records every supported resource in every region.

use securebase_plugin_sdk::resource_types::REGION;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// Our own resource type: `DescribeConfigurationRecorders` plus its status, per region.
const RECORDER: &str = "SecureBase::Config::Recorder";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "config_recorder_all_regions_enabled",
        title: "AWS Config is enabled in all regions",
        severity: Severity::Medium,
        resource_types: &[REGION],
        rationale: "AWS Config's history of resource configurations is what change investigations and continuous compliance depend on; a region without a recorder is a blind spot.",
        remediation: "In every enabled region: aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=ROLE --recording-group allSupported=true,includeGlobalResourceTypes=true and start it.",
        references: &[
            reference("aws-config-rule", "AWS_CONFIG_ENABLED"),
            reference("prowler", "config_recorder_all_regions_enabled"),
            reference("cis", "3.3"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let recorders = inv.items(RECORDER);
    for region in inv.items(REGION).iter() {
        let name = &region.resource_id;
        let here: Vec<_> = recorders.iter().filter(|r| &r.region == name).collect();
        let Some(r) = here.iter().find(|r| r.config_bool("/recording") == Some(true)) else {
            let why = if here.is_empty() { "has no configuration recorder" } else { "has a recorder that is not recording" };
            out.fail(region, format!("Region {name} {why}."));
            continue;
        };
        if r.config_bool("/allSupported") != Some(true) {
            out.fail(region, format!("The recorder in {name} records only selected resource types."));
        } else if r.config_str("/lastStatus").is_some_and(|s| s.eq_ignore_ascii_case("FAILURE")) {
            out.fail(region, format!("The recorder in {name} is on but its last recording failed."));
        } else {
            out.pass(region, format!("AWS Config records all resource types in {name}."));
        }
    }
}
