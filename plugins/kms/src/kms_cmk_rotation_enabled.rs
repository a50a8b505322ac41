//! Customer-managed symmetric keys rotate yearly.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "kms_cmk_rotation_enabled",
        title: "Rotation is enabled for customer-created symmetric KMS keys",
        severity: Severity::Medium,
        resource_types: &[crate::KEY],
        rationale: "Rotation limits how much data one key version protects, bounding the damage of an exposed key.",
        remediation: "aws kms enable-key-rotation --key-id KEY",
        references: &[
            reference("aws-config-rule", "CMK_BACKING_KEY_ROTATION_ENABLED"),
            reference("prowler", "kms_cmk_rotation_enabled"),
            reference("cis", "3.6"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for key in inv.items(crate::KEY).iter() {
        let spec = key.config_str("/keySpec").or_else(|| key.config_str("/customerMasterKeySpec")).unwrap_or("SYMMETRIC_DEFAULT");
        let imported = key.config_str("/origin").is_some_and(|o| o != "AWS_KMS");
        if !crate::customer_enabled(key) || spec != "SYMMETRIC_DEFAULT" || imported {
            out.not_applicable(
                key,
                format!("Key {} is not an enabled customer-managed symmetric key with AWS-generated material.", key.resource_id),
            );
            continue;
        }
        match key.supplementary_bool("/KeyRotationStatus") {
            Some(true) => out.pass(key, format!("Key {} rotates automatically.", key.resource_id)),
            Some(false) => out.fail(key, format!("Key {} does not rotate.", key.resource_id)),
            None => out.error(key, format!("Key {} has no KeyRotationStatus in the inventory.", key.resource_id)),
        }
    }
}
