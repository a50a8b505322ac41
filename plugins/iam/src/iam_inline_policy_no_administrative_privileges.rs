//! No inline policy of a user, group or role grants `*:*` on `*`.

use securebase_plugin_sdk::policy::Policy;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

const PRINCIPALS: [(&str, &str); 3] =
    [("AWS::IAM::User", "/userPolicyList"), ("AWS::IAM::Group", "/groupPolicyList"), ("AWS::IAM::Role", "/rolePolicyList")];

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_inline_policy_no_administrative_privileges",
        title: "Inline IAM policies do not allow full \"*:*\" administrative privileges",
        severity: Severity::High,
        resource_types: &["AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role"],
        rationale: "Inline policies escape the review that managed policies get; one granting everything makes its holder an administrator.",
        remediation: "Replace the inline policy with a scoped managed policy, or delete it: aws iam delete-user-policy / delete-group-policy / delete-role-policy.",
        references: &[
            reference("aws-config-rule", "IAM_INLINE_POLICY_BLOCKED_KMS_ACTIONS"),
            reference("prowler", "iam_inline_policy_no_administrative_privileges"),
            reference("cis", "1.16"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for (resource_type, list) in PRINCIPALS {
        for p in inv.items(resource_type).iter() {
            let policies = p.config(list).and_then(|v| v.as_array()).cloned().unwrap_or_default();
            if policies.is_empty() {
                out.not_applicable(p, format!("{} has no inline policies.", p.name()));
                continue;
            }
            let mut admin = Vec::new();
            let mut unreadable = None;
            for pol in &policies {
                let name = pol.get("policyName").and_then(|n| n.as_str()).unwrap_or("?");
                match pol.get("policyDocument").map(Policy::parse) {
                    Some(Ok(doc)) if doc.grants_full_admin() => admin.push(name.to_string()),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => unreadable = Some(format!("inline policy {name}: {e}")),
                    None => unreadable = Some(format!("inline policy {name} has no document")),
                }
            }
            if !admin.is_empty() {
                out.fail(p, format!("{} has inline policies allowing \"*\" on \"*\": {}.", p.name(), admin.join(", ")));
            } else if let Some(e) = unreadable {
                out.error(p, format!("{}: {e}.", p.name()));
            } else {
                out.pass(p, format!("{}'s inline policies do not grant full administrative privileges.", p.name()));
            }
        }
    }
}
