//! Users get permissions only through groups (or roles), never attached directly.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

const USER: &str = "AWS::IAM::User";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_policy_attached_only_to_group_or_roles",
        title: "IAM users receive permissions only through groups",
        severity: Severity::Low,
        resource_types: &[USER],
        rationale: "Permissions granted through groups are reviewed and revoked in one place; policies on individual users drift and are forgotten.",
        remediation: "Move the user's managed and inline policies to a group that reflects the job function, add the user to it, and detach the policies from the user.",
        references: &[
            reference("aws-config-rule", "IAM_USER_NO_POLICIES_CHECK"),
            reference("prowler", "iam_policy_attached_only_to_group_or_roles"),
            reference("cis", "1.15"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for u in inv.items(USER).iter() {
        let names = |p: &str, key: &str| -> Vec<String> {
            u.config(p).and_then(|v| v.as_array()).into_iter().flatten().filter_map(|x| x.get(key)?.as_str().map(str::to_string)).collect()
        };
        let managed = names("/attachedManagedPolicies", "policyName");
        let inline = names("/userPolicyList", "policyName");
        let name = u.name();
        if managed.is_empty() && inline.is_empty() {
            out.pass(u, format!("User {name} has no policies attached directly."));
        } else {
            let all: Vec<String> = managed.into_iter().chain(inline).collect();
            out.fail(u, format!("User {name} has policies attached directly: {}.", all.join(", ")));
        }
    }
}
