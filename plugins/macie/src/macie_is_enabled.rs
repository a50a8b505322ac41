//! Macie runs in every enabled region.

use securebase_plugin_sdk::resource_types::REGION;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, aws, reference};

/// Our own resource type: `GetMacieSession`, one per region where Macie is enabled
/// (resource id = region); absent where it is not.
const SESSION: &str = "SecureBase::Macie::Session";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "macie_is_enabled",
        title: "Amazon Macie is enabled in every region",
        severity: Severity::Medium,
        resource_types: &[REGION],
        rationale: "Macie inventories the S3 buckets of a region, flags the public or unencrypted ones and finds personal data and credentials stored in them; a region without it keeps its sensitive data unmapped.",
        remediation: "aws macie2 enable-macie --region REGION (in every enabled region; a paused session: aws macie2 update-macie-session --status ENABLED), or enable it organization-wide from the delegated administrator.",
        references: &[reference("aws-config-rule", "MACIE_STATUS_CHECK"), reference("prowler", "macie_is_enabled")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    aws::per_region(inv, out, SESSION, "Macie", |s| s.config_str("/status").is_some_and(|v| v.eq_ignore_ascii_case("ENABLED")));
}
