//! No attached customer-managed policy grants `*:*` on `*`.

use securebase_plugin_sdk::policy::Policy;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

const POLICY: &str = "AWS::IAM::Policy";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_customer_attached_policy_no_administrative_privileges",
        title: "Attached customer-managed IAM policies do not allow full \"*:*\" administrative privileges",
        severity: Severity::High,
        resource_types: &[POLICY],
        rationale: "A policy that allows every action on every resource defeats least privilege; administrators should use narrowly held roles.",
        remediation: "Replace the statement with the specific actions and resources needed, or detach the policy from every user, group and role.",
        references: &[
            reference("aws-config-rule", "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS"),
            reference("prowler", "iam_customer_attached_policy_no_administrative_privileges"),
            reference("cis", "1.16"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for p in inv.items(POLICY).iter() {
        let name = p.name();
        if p.config_i64("/attachmentCount") == Some(0) {
            out.not_applicable(p, format!("Policy {name} is not attached to anything."));
            continue;
        }
        let default = p.config("/policyVersionList").and_then(|v| v.as_array()).and_then(|versions| {
            versions.iter().find(|v| v.get("isDefaultVersion").and_then(securebase_plugin_sdk::inventory_bool) == Some(true))
        });
        let Some(document) = default.and_then(|v| v.get("document")) else {
            out.error(p, format!("Policy {name} has no default version document."));
            continue;
        };
        match Policy::parse(document) {
            Ok(doc) if doc.grants_full_admin() => out.fail(p, format!("Policy {name} allows \"*\" on \"*\" and is attached.")),
            Ok(_) => out.pass(p, format!("Policy {name} does not allow full administrative privileges.")),
            Err(e) => out.error(p, format!("Policy {name}: {e}.")),
        }
    }
}
