//! IAM Access Analyzer runs in every enabled region.

use securebase_plugin_sdk::resource_types::REGION;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

const ANALYZER: &str = "AWS::AccessAnalyzer::Analyzer";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "accessanalyzer_enabled",
        title: "IAM Access Analyzer is enabled in every region",
        severity: Severity::Low,
        resource_types: &[REGION],
        rationale: "Access Analyzer finds resources shared outside the account or organization, which manual reviews miss.",
        remediation: "aws accessanalyzer create-analyzer --analyzer-name account-analyzer --type ACCOUNT --region REGION (in every enabled region)",
        references: &[
            reference("aws-config-rule", "IAM_EXTERNAL_ACCESS_ANALYZER_ENABLED"),
            reference("prowler", "accessanalyzer_enabled"),
            reference("cis", "1.20"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let analyzers = inv.items(ANALYZER);
    for region in inv.items(REGION).iter() {
        let here = analyzers.iter().find(|a| a.region == region.resource_id && a.config_str("/Status").is_none_or(|s| s == "ACTIVE"));
        match here {
            Some(a) => out.pass(region, format!("Access Analyzer {} is active in {}.", a.name(), region.resource_id)),
            None => out.fail(region, format!("No active Access Analyzer in {}.", region.resource_id)),
        }
    }
}
