//! A role exists for managing incidents with AWS Support.

use securebase_plugin_sdk::resource_types::ACCOUNT;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

const SUPPORT_POLICY: &str = "arn:aws:iam::aws:policy/AWSSupportAccess";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_support_role_created",
        title: "A support role has been created to manage incidents with AWS Support",
        severity: Severity::Low,
        resource_types: &[ACCOUNT],
        rationale: "A dedicated role with AWSSupportAccess lets the incident team open cases without broader privileges.",
        remediation: "Create a role trusted by your incident responders and attach arn:aws:iam::aws:policy/AWSSupportAccess to it.",
        references: &[
            reference("aws-config-rule", "IAM_POLICY_IN_USE"),
            reference("prowler", "iam_support_role_created"),
            reference("cis", "1.17"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let roles = inv.items("AWS::IAM::Role");
    let support = roles.iter().find(|r| {
        r.config("/attachedManagedPolicies")
            .and_then(|v| v.as_array())
            .is_some_and(|ps| ps.iter().any(|p| p.get("policyArn").and_then(|a| a.as_str()) == Some(SUPPORT_POLICY)))
    });
    for a in inv.items(ACCOUNT).iter() {
        match support {
            Some(r) => out.pass(a, format!("Role {} has AWSSupportAccess attached.", r.name())),
            None => out.fail(a, "No role has the AWSSupportAccess policy attached."),
        }
    }
}
