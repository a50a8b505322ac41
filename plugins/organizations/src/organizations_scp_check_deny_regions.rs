//! The organization's service control policies deny requests outside approved regions.

use securebase_plugin_sdk::policy::Policy;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "organizations_scp_check_deny_regions",
        title: "AWS Organizations service control policies restrict requests to approved regions",
        severity: Severity::High,
        resource_types: &[crate::ORGANIZATION],
        rationale: "Resources in a region nobody watches escape monitoring, logging and data-residency commitments: an attacker with stolen keys mines cryptocurrency there, and a well-meaning engineer stores patient data outside the region the contract names. A service control policy that denies requests outside the approved regions (aws:RequestedRegion) makes every other region unusable in the accounts it is attached to, whatever their own IAM policies allow. It restricts member accounts: SCPs never apply to the management account itself. SCPs can be read only in the management account, so this check decides there and does not apply in members.",
        remediation: "In the management account, create an SCP with a statement {\"Effect\": \"Deny\", \"NotAction\": [global services such as iam:*, organizations:*, sts:*, cloudfront:*, route53:*, support:*], \"Resource\": \"*\", \"Condition\": {\"StringNotEquals\": {\"aws:RequestedRegion\": [\"us-east-1\", \"eu-west-1\"]}}} (aws organizations create-policy --type SERVICE_CONTROL_POLICY ...) and attach it to the root or to the OUs of workload accounts (aws organizations attach-policy --policy-id ID --target-id ROOT_ID).",
        references: &[
            reference("prowler", "organizations_scp_check_deny_regions"),
            reference("url", "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html"),
        ],
    },
    run,
};

/// The regions an SCP's statements leave usable, if one of them denies every other
/// region: a Deny whose condition is `StringNotEquals`/`StringNotLike` on
/// `aws:RequestedRegion`.
fn allowed_regions(content: &Value) -> Option<Vec<String>> {
    let policy = Policy::parse(content).ok()?;
    policy.statements.iter().filter(|s| s.is_deny()).find_map(|s| {
        let regions: Vec<String> = ["StringNotEquals", "StringNotLike", "StringNotEqualsIgnoreCase"]
            .iter()
            .flat_map(|op| s.condition_values(op, "aws:RequestedRegion"))
            .collect();
        (!regions.is_empty()).then_some(regions)
    })
}

fn run(inv: &Inventory, out: &mut Findings) {
    for org in inv.items(crate::ORGANIZATION).iter() {
        if org.config_bool("/inOrganization") != Some(true) {
            out.fail(
                org,
                format!("Account {} belongs to no organization: no service control policy restricts its regions.", inv.account_id()),
            );
            continue;
        }
        let id = org.config_str("/id").unwrap_or("?");
        if org.config_bool("/isManagementAccount") != Some(true) {
            let management = org.config_str("/managementAccountId").unwrap_or("its management account");
            out.not_applicable(org, format!("Organization {id}'s service control policies can be read only in its management account ({management}): that account's finding decides."));
            continue;
        }
        let Some(policies) = org.supplementary("/ServiceControlPolicies").and_then(Value::as_array) else {
            out.error(org, format!("Organization {id}: its service control policies were not recorded."));
            continue;
        };
        let restricting: Vec<(&str, Vec<String>, bool)> = policies
            .iter()
            .filter_map(|p| {
                let regions = allowed_regions(&p["content"])?;
                let attached = p["targets"].as_array().is_some_and(|t| !t.is_empty());
                Some((p["name"].as_str().or(p["id"].as_str()).unwrap_or("?"), regions, attached))
            })
            .collect();
        // A policy attached to nothing restricts nothing.
        match restricting.iter().find(|(_, _, attached)| *attached) {
            Some((name, regions, _)) => {
                out.pass(org, format!("Organization {id}: SCP {name} denies requests outside {}.", regions.join(", ")));
            }
            None if !restricting.is_empty() => {
                let names: Vec<&str> = restricting.iter().map(|(n, _, _)| *n).collect();
                out.fail(
                    org,
                    format!(
                        "Organization {id}: SCP(s) {} would restrict regions but are attached to no root, OU or account.",
                        names.join(", ")
                    ),
                );
            }
            None => out.fail(org, format!("Organization {id}: none of its {} service control policies restricts regions.", policies.len())),
        }
    }
}
