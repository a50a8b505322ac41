//! The password policy requires a number.

pub const CHECK: securebase_plugin_sdk::Check = crate::password::password_flag_check!(
    "iam_password_policy_number",
    "The IAM password policy requires at least one number",
    "requireNumbers",
    "at least one number",
    "--require-numbers"
);
