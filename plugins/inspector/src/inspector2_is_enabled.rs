//! Amazon Inspector scans EC2 instances and ECR images in every enabled region.

use securebase_plugin_sdk::resource_types::REGION;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Item, Severity, aws, reference};

/// Our own resource type: `BatchGetAccountStatus` for the account, one per region
/// (resource id = region): `status` and the per-resource `resourceState`.
const ACCOUNT_STATUS: &str = "SecureBase::Inspector2::Account";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "inspector2_is_enabled",
        title: "Amazon Inspector scans EC2 instances and ECR images in every region",
        severity: Severity::Medium,
        resource_types: &[REGION],
        rationale: "Inspector continuously matches the packages on instances and in container images against newly published CVEs; where it is off, or scans only some resource types, known vulnerabilities go unnoticed until exploited.",
        remediation: "aws inspector2 enable --resource-types EC2 ECR LAMBDA LAMBDA_CODE --region REGION (in every enabled region), or enable it organization-wide from the delegated administrator.",
        references: &[
            reference("aws-config-rule", "INSPECTOR_EC2_SCAN_ENABLED"),
            reference("aws-config-rule", "INSPECTOR_ECR_SCAN_ENABLED"),
            reference("prowler", "inspector2_is_enabled"),
        ],
    },
    run,
};

/// Whether the status at `pointer` is `ENABLED` (a plain string, or an object with `status`
/// as `BatchGetAccountStatus` nests it).
fn enabled(item: &Item, pointer: &str) -> bool {
    item.config_str(pointer).or_else(|| item.config_str(&format!("{pointer}/status"))).is_some_and(|s| s.eq_ignore_ascii_case("ENABLED"))
}

fn run(inv: &Inventory, out: &mut Findings) {
    aws::per_region(inv, out, ACCOUNT_STATUS, "Amazon Inspector with EC2 and ECR scanning", |a| {
        enabled(a, "/status") && enabled(a, "/resourceState/ec2") && enabled(a, "/resourceState/ecr")
    });
}
