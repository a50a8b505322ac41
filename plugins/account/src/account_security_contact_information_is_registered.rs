//! The account has a security alternate contact.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// Our own resource type, one per account (resource id = account id): only whether
/// `GetAlternateContact` finds a `SECURITY` contact; its name, email and phone are never
/// collected.
const SECURITY_CONTACT: &str = "SecureBase::Account::SecurityContact";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "account_security_contact_information_is_registered",
        title: "The account has a security contact registered",
        severity: Severity::Medium,
        resource_types: &[SECURITY_CONTACT],
        rationale: "AWS sends notices of abuse, exposed credentials and compromise to the security alternate contact; without one they go to the root address, which the security team may never read.",
        remediation: "aws account put-alternate-contact --alternate-contact-type SECURITY --email-address security@example.com --name \"Security team\" --phone-number +1-555-0100 --title \"Security\" (add --account-id ID from the management account).",
        references: &[
            reference("aws-config-rule", "SECURITY_ACCOUNT_INFORMATION_PROVIDED"),
            reference("prowler", "account_security_contact_information_is_registered"),
            reference("cis", "1.2"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for c in inv.items(SECURITY_CONTACT).iter() {
        out.verdict(
            c,
            c.config_bool("/registered") == Some(true),
            format!("Account {} has a security alternate contact registered.", c.name()),
            format!("Account {} has no security alternate contact registered.", c.name()),
        );
    }
}
