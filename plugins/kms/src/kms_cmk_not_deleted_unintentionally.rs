//! No customer-managed key is waiting to be deleted.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// Key states in which the key, and every piece of data it encrypts, is deleted when the waiting period ends.
const PENDING_DELETION: &[&str] = &["PendingDeletion", "PendingReplicaDeletion"];

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "kms_cmk_not_deleted_unintentionally",
        title: "Customer-managed KMS keys are not scheduled for deletion",
        severity: Severity::Critical,
        resource_types: &[crate::KEY],
        rationale: "Deleting a KMS key is irreversible: once the waiting period ends, everything encrypted under it (volumes, snapshots, databases, objects, secrets) can never be decrypted again. A key scheduled for deletion by mistake or by an attacker must be caught within the waiting period. AWS-managed keys are AWS's to run and do not apply.",
        remediation: "aws kms cancel-key-deletion --key-id KEY, then aws kms enable-key --key-id KEY (a cancelled key stays disabled); alert on ScheduleKeyDeletion in CloudTrail.",
        references: &[
            reference("aws-config-rule", "KMS_CMK_NOT_SCHEDULED_FOR_DELETION"),
            reference("prowler", "kms_cmk_not_deleted_unintentionally"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for key in inv.items(crate::KEY).iter() {
        let name = key.name();
        if key.config_str("/keyManager") != Some("CUSTOMER") {
            out.not_applicable(key, format!("Key {name} is not a customer-managed key."));
            continue;
        }
        match key.config_str("/keyState") {
            Some(state) if PENDING_DELETION.contains(&state) => {
                out.fail(key, format!("Key {name} is scheduled for deletion ({state}); cancel it if that was not intended."))
            }
            state => out.pass(key, format!("Key {name} is not scheduled for deletion ({}).", state.unwrap_or("state not recorded"))),
        }
    }
}
