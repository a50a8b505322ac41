//! GuardDuty runs in every enabled region.

use securebase_plugin_sdk::resource_types::REGION;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, aws, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "guardduty_is_enabled",
        title: "GuardDuty is enabled in every region",
        severity: Severity::Medium,
        resource_types: &[REGION],
        rationale: "GuardDuty detects compromised credentials, crypto-mining and reconnaissance from CloudTrail, VPC flow and DNS logs; an attacker will use the region nobody watches.",
        remediation: "aws guardduty create-detector --enable --region REGION (in every enabled region), or enable it organization-wide from the delegated administrator.",
        references: &[reference("aws-config-rule", "GUARDDUTY_ENABLED_CENTRALIZED"), reference("prowler", "guardduty_is_enabled")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    aws::per_region(inv, out, "AWS::GuardDuty::Detector", "GuardDuty", |d| aws::flag(d, "/enable", "/Enable") == Some(true));
}
