//! Security Hub runs in every enabled region.

use securebase_plugin_sdk::resource_types::REGION;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, aws, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "securityhub_enabled",
        title: "AWS Security Hub is enabled in every region",
        severity: Severity::Medium,
        resource_types: &[REGION],
        rationale: "Security Hub aggregates findings from GuardDuty, Inspector, Macie and Config into one place the security team actually reads.",
        remediation: "aws securityhub enable-security-hub --region REGION (in every enabled region), or from the delegated administrator.",
        references: &[
            reference("aws-config-rule", "SECURITYHUB_ENABLED"),
            reference("prowler", "securityhub_enabled"),
            reference("cis", "4.16"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    aws::per_region(inv, out, "AWS::SecurityHub::Hub", "Security Hub", |_| true);
}
