//! The organization's service control policies deny requests outside approved regions,
//! for every account in it.

use securebase_plugin_sdk::policy::{Policy, Statement};
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "organizations_scp_check_deny_regions",
        title: "AWS Organizations service control policies restrict requests to approved regions",
        severity: Severity::High,
        resource_types: &[crate::ORGANIZATION],
        rationale: "Resources in a region nobody watches escape monitoring, logging and data-residency commitments: an attacker with stolen keys mines cryptocurrency there, and a well-meaning engineer stores patient data outside the region the contract names. A service control policy attached to the organization's root that denies every action outside the approved regions (aws:RequestedRegion) makes every other region unusable in all member accounts, whatever their own IAM policies allow. Attached to OUs or accounts instead, it restricts only the accounts at or below them: the check then passes only when every active member account is (the organization's tree is read for this), and an account added elsewhere later is not covered. It restricts member accounts: SCPs never apply to the management account itself. SCPs can be read only in the management account, so this check decides there and does not apply in members.",
        remediation: "In the management account, create an SCP with a statement {\"Effect\": \"Deny\", \"NotAction\": [global services such as iam:*, organizations:*, sts:*, cloudfront:*, route53:*, support:*], \"Resource\": \"*\", \"Condition\": {\"StringNotEquals\": {\"aws:RequestedRegion\": [\"us-east-1\", \"eu-west-1\"]}}} (aws organizations create-policy --type SERVICE_CONTROL_POLICY ...) and attach it to the root (aws organizations attach-policy --policy-id ID --target-id ROOT_ID); exempt break-glass roles with an ArnNotLike condition on aws:PrincipalARN rather than by attaching the policy to some OUs only. The organization needs all features enabled for SCPs to apply.",
        references: &[
            reference("prowler", "organizations_scp_check_deny_regions"),
            reference("url", "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html"),
        ],
    },
    run,
};

/// Condition operators that leave only the listed regions usable when a Deny carries them
/// on `aws:RequestedRegion`: the negated string operators, also with a set prefix
/// (`ForAnyValue:`, `ForAllValues:`) or `IfExists` (the key has one value and is always
/// present, so these behave the same).
const NEGATED: [&str; 3] = ["stringnotequals", "stringnotlike", "stringnotequalsignorecase"];

/// Whether a Deny statement's other conditions only exempt principals (a break-glass
/// role), not narrow which requests it denies.
fn exempts_principals_only(operator: &str, key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key == "aws:requestedregion"
        || (["arnnotlike", "arnnotequals", "stringnotlike", "stringnotequals"].contains(&operator)
            && ["aws:principalarn", "aws:principaltag", "aws:userid"].iter().any(|k| key.starts_with(k)))
}

/// The regions one statement leaves usable, if it denies every request (all actions, or
/// all but some named ones; every resource) outside them, unconditionally otherwise.
fn statement_regions(s: &Statement) -> Option<Vec<String>> {
    if !s.is_deny() || !s.resources.iter().any(|r| r == "*") {
        return None;
    }
    let every_action =
        s.actions.iter().any(|a| a == "*" || a == "*:*") || (!s.not_actions.is_empty() && !s.not_actions.iter().any(|a| a == "*"));
    if !every_action {
        return None;
    }
    let mut regions = Vec::new();
    for (op, keys) in s.condition.as_object()? {
        let bare = op.to_ascii_lowercase();
        let bare = bare.trim_start_matches("foranyvalue:").trim_start_matches("forallvalues:").trim_end_matches("ifexists");
        for (key, values) in keys.as_object()? {
            if !exempts_principals_only(bare, key) {
                return None;
            }
            if key.eq_ignore_ascii_case("aws:RequestedRegion") {
                if !NEGATED.contains(&bare) {
                    return None;
                }
                let listed: Vec<String> = match values {
                    Value::Array(v) => v.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                    Value::String(one) => vec![one.clone()],
                    _ => return None,
                };
                regions.extend(listed);
            }
        }
    }
    // A pattern of "*" leaves every region usable: it restricts nothing.
    (!regions.is_empty() && !regions.iter().any(|r| r.trim() == "*")).then_some(regions)
}

/// The regions a policy document leaves usable, if one of its statements restricts them.
fn allowed_regions(content: &Value) -> Option<Vec<String>> {
    Policy::parse(content).ok()?.statements.iter().find_map(statement_regions)
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
        if let Some(features) = org.config_str("/featureSet").filter(|f| !f.eq_ignore_ascii_case("ALL")) {
            out.fail(org, format!("Organization {id} has feature set {features}: service control policies do not apply to its accounts."));
            continue;
        }
        let Some(policies) = org.supplementary("/ServiceControlPolicies").and_then(Value::as_array) else {
            out.error(org, format!("Organization {id}: its service control policies were not recorded."));
            continue;
        };
        let management = org.config_str("/managementAccountId").unwrap_or_default();
        // Where each region-restricting policy is attached, leaving out the management
        // account (SCPs never apply to it).
        let restricting: Vec<(&str, Vec<String>, Vec<&Value>)> = policies
            .iter()
            .filter_map(|p| {
                let regions = allowed_regions(&p["content"])?;
                let targets: Vec<&Value> =
                    p["targets"].as_array().into_iter().flatten().filter(|t| t["targetId"].as_str() != Some(management)).collect();
                Some((p["name"].as_str().or(p["id"].as_str()).unwrap_or("?"), regions, targets))
            })
            .collect();
        let at_root = |targets: &[&Value]| targets.iter().any(|t| t["type"].as_str().is_some_and(|k| k.eq_ignore_ascii_case("ROOT")));
        if let Some((name, regions, _)) = restricting.iter().find(|(_, _, targets)| at_root(targets)) {
            out.pass(org, format!("Organization {id}: SCP {name}, attached to the root, denies requests outside {}.", regions.join(", ")));
            continue;
        }
        // Attached to OUs or accounts only: it restricts the accounts at or below its
        // targets, so with the organization's tree recorded, every member can be checked.
        if let Some(accounts) = org.supplementary("/Accounts").and_then(Value::as_array)
            && !restricting.iter().all(|(_, _, targets)| targets.is_empty())
        {
            let covered_by = |account: &Value| -> Option<&str> {
                let id = account["id"].as_str()?;
                let above: Vec<&str> = account["parents"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                restricting.iter().find_map(|(name, _, targets)| {
                    targets.iter().filter_map(|t| t["targetId"].as_str()).any(|t| t == id || above.contains(&t)).then_some(*name)
                })
            };
            // Suspended accounts cannot act; the management account is never restricted.
            let members: Vec<&Value> = accounts
                .iter()
                .filter(|a| {
                    a["id"].as_str() != Some(management) && !a["status"].as_str().is_some_and(|s| s.eq_ignore_ascii_case("SUSPENDED"))
                })
                .collect();
            let coverage: Vec<(&Value, Option<&str>)> = members.iter().map(|a| (*a, covered_by(a))).collect();
            let uncovered: Vec<&str> = coverage
                .iter()
                .filter(|(_, by)| by.is_none())
                .map(|(a, _)| a["name"].as_str().or(a["id"].as_str()).unwrap_or("?"))
                .collect();
            if !members.is_empty() && uncovered.is_empty() {
                let mut names: Vec<&str> = coverage.iter().filter_map(|(_, by)| *by).collect();
                names.sort_unstable();
                names.dedup();
                out.pass(org, format!("Organization {id}: SCP(s) {}, attached to OUs or accounts, deny requests outside approved regions in all {} member account(s); attached to the root they would also cover accounts added later.", names.join(", "), members.len()));
                continue;
            }
            if !uncovered.is_empty() {
                let shown = uncovered.iter().take(5).copied().collect::<Vec<_>>().join(", ");
                let more = if uncovered.len() > 5 { format!(" and {} more", uncovered.len() - 5) } else { String::new() };
                out.fail(org, format!("Organization {id}: {} of {} member account(s) are outside every OU or account a region-restricting SCP is attached to, and use every region: {shown}{more}.", uncovered.len(), members.len()));
                continue;
            }
        }
        // Attached to some OUs or accounts only, without the organization's tree recorded:
        // the accounts outside them are not restricted, and which those are is unknown.
        let partial: Vec<String> = restricting
            .iter()
            .filter(|(_, _, targets)| !targets.is_empty())
            .map(|(name, _, targets)| {
                let on: Vec<&str> = targets.iter().map(|t| t["name"].as_str().or(t["targetId"].as_str()).unwrap_or("?")).collect();
                format!("{name} (on {})", on.join(", "))
            })
            .collect();
        if !partial.is_empty() {
            out.fail(org, format!("Organization {id}: region-restricting SCP(s) {} are attached to some OUs or accounts only, not the root: accounts outside them use every region.", partial.join("; ")));
        } else if !restricting.is_empty() {
            let names: Vec<&str> = restricting.iter().map(|(n, _, _)| *n).collect();
            out.fail(
                org,
                format!(
                    "Organization {id}: SCP(s) {} would restrict regions but are attached to no member account, OU or root.",
                    names.join(", ")
                ),
            );
        } else {
            out.fail(
                org,
                format!(
                    "Organization {id}: none of its {} service control policies denies requests outside approved regions.",
                    policies.len()
                ),
            );
        }
    }
}
