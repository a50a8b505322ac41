//! Built-in control plugin for IAM: the password policy, the root user, console MFA,
//! access key age, administrator policies and policies attached to users.
//!
//! Account-level facts come as resource types of our own (documented in
//! `host/inventory/README.md`): `SecureBase::IAM::PasswordPolicy`,
//! `SecureBase::IAM::AccountSummary` and one `SecureBase::IAM::CredentialReportEntry`
//! per credential report row. Each check is a module named after its id; its fixtures
//! are in `fixtures/<check_id>/`.

use securebase_plugin_sdk::{Findings, Inventory, Item, Plugin};

mod accessanalyzer_enabled;
mod iam_customer_attached_policy_no_administrative_privileges;
mod iam_inline_policy_no_administrative_privileges;
mod iam_no_expired_server_certificates_stored;
mod iam_no_root_access_key;
mod iam_password_policy_expires_passwords_within_90_days_or_less;
mod iam_password_policy_lowercase;
mod iam_password_policy_minimum_length_14;
mod iam_password_policy_number;
mod iam_password_policy_reuse_24;
mod iam_password_policy_symbol;
mod iam_password_policy_uppercase;
mod iam_policy_attached_only_to_group_or_roles;
mod iam_root_hardware_mfa_enabled;
mod iam_root_mfa_enabled;
mod iam_rotate_access_key_90_days;
mod iam_support_role_created;
mod iam_user_accesskey_unused;
mod iam_user_console_access_unused;
mod iam_user_mfa_enabled_console_access;
mod iam_user_no_setup_initial_access_key;
mod iam_user_two_active_access_key;
mod password;
mod unused;

const PASSWORD_POLICY: &str = "SecureBase::IAM::PasswordPolicy";
const ACCOUNT_SUMMARY: &str = "SecureBase::IAM::AccountSummary";
const CREDENTIAL_REPORT: &str = "SecureBase::IAM::CredentialReportEntry";
/// The credential report's name for the root user's row.
const ROOT_ROW: &str = "<root_account>";

/// The plugin: every IAM check, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "iam",
    version: "1.0.0",
    checks: &[
        iam_no_root_access_key::CHECK,
        iam_root_mfa_enabled::CHECK,
        iam_root_hardware_mfa_enabled::CHECK,
        iam_password_policy_minimum_length_14::CHECK,
        iam_password_policy_reuse_24::CHECK,
        iam_password_policy_symbol::CHECK,
        iam_password_policy_number::CHECK,
        iam_password_policy_uppercase::CHECK,
        iam_password_policy_lowercase::CHECK,
        iam_password_policy_expires_passwords_within_90_days_or_less::CHECK,
        iam_user_mfa_enabled_console_access::CHECK,
        iam_user_console_access_unused::CHECK,
        iam_user_accesskey_unused::CHECK,
        iam_user_no_setup_initial_access_key::CHECK,
        iam_user_two_active_access_key::CHECK,
        iam_rotate_access_key_90_days::CHECK,
        iam_policy_attached_only_to_group_or_roles::CHECK,
        iam_customer_attached_policy_no_administrative_privileges::CHECK,
        iam_inline_policy_no_administrative_privileges::CHECK,
        iam_support_role_created::CHECK,
        iam_no_expired_server_certificates_stored::CHECK,
        accessanalyzer_enabled::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

/// Credential report rows of IAM users; the root row is the root checks' business.
fn users(inv: &Inventory) -> Vec<Item> {
    inv.items(CREDENTIAL_REPORT).iter().filter(|u| u.resource_id != ROOT_ROW).cloned().collect()
}

/// Users with a console password. The others are recorded as not applicable.
fn console_users(inv: &Inventory, out: &mut Findings) -> Vec<Item> {
    let (console, api_only): (Vec<Item>, Vec<Item>) =
        users(inv).into_iter().partition(|u| u.config_bool("/password_enabled") == Some(true));
    for u in &api_only {
        out.not_applicable(u, format!("User {} has no console password.", u.resource_id));
    }
    console
}

securebase_plugin_sdk::fixtures_test!(PLUGIN);
