//! No key policy lets everyone use the key.

use securebase_plugin_sdk::policy::Policy;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "kms_key_not_publicly_accessible",
        title: "KMS key policies do not allow access to everyone",
        severity: Severity::Critical,
        resource_types: &[crate::KEY],
        rationale: "A key policy allowing \"*\" without conditions lets any AWS principal decrypt what the key protects.",
        remediation: "Replace the wildcard principal with the account's root or specific roles, or add conditions such as kms:CallerAccount or aws:PrincipalOrgID.",
        references: &[
            reference("aws-config-rule", "KMS_KEY_POLICY_NO_PUBLIC_ACCESS"),
            reference("prowler", "kms_key_not_publicly_accessible"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for key in inv.items(crate::KEY).iter() {
        if !crate::customer_enabled(key) {
            out.not_applicable(key, format!("Key {} is AWS-managed or not enabled.", key.resource_id));
            continue;
        }
        let Some(text) = key.supplementary("/KeyPolicy").filter(|v| !v.is_null()) else {
            out.error(key, format!("Key {} has no KeyPolicy in the inventory.", key.resource_id));
            continue;
        };
        match Policy::parse(text) {
            Ok(p) if p.statements.iter().any(|s| s.is_allow() && s.has_wildcard_principal() && !s.has_condition()) => {
                out.fail(key, format!("Key {}'s policy allows everyone to use it.", key.resource_id))
            }
            Ok(_) => out.pass(key, format!("Key {}'s policy does not allow public access.", key.resource_id)),
            Err(e) => out.error(key, format!("Key {}: {e}.", key.resource_id)),
        }
    }
}
