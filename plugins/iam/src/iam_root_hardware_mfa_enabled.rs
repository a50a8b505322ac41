//! The root user's MFA is a hardware device, not a virtual one.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// Our own resource type: one item per `ListVirtualMFADevices` entry.
const VIRTUAL_MFA: &str = "SecureBase::IAM::VirtualMFADevice";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "iam_root_hardware_mfa_enabled",
        title: "Hardware MFA is enabled for the root user",
        severity: Severity::Critical,
        resource_types: &[crate::ACCOUNT_SUMMARY],
        rationale: "A virtual MFA lives on a phone that can be lost, cloned or compromised; a hardware key for root is kept offline and cannot be copied.",
        remediation: "Sign in as root, remove the virtual MFA device and assign a hardware MFA device (FIDO security key or hardware TOTP token).",
        references: &[
            reference("aws-config-rule", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED"),
            reference("prowler", "iam_root_hardware_mfa_enabled"),
            reference("cis", "1.6"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let root_virtual = inv.items(VIRTUAL_MFA).iter().any(|d| {
        d.config_str("/serialNumber").is_some_and(|s| s.ends_with(":mfa/root-account-mfa-device"))
            || d.config_str("/user/arn").is_some_and(|a| a.ends_with(":root"))
    });
    for s in inv.items(crate::ACCOUNT_SUMMARY).iter() {
        match s.config_i64("/AccountMFAEnabled") {
            Some(1) if root_virtual => out.fail(s, "The root user's MFA is a virtual device, not hardware."),
            Some(1) => out.pass(s, "The root user has a hardware MFA device."),
            Some(_) => out.fail(s, "The root user has no MFA at all."),
            None => out.error(s, "The account summary has no AccountMFAEnabled value."),
        }
    }
}
