//! The password policy requires an upper-case letter.

pub const CHECK: securebase_plugin_sdk::Check = crate::password::password_flag_check!(
    "iam_password_policy_uppercase",
    "The IAM password policy requires at least one uppercase letter",
    "requireUppercaseCharacters",
    "at least one uppercase letter",
    "--require-uppercase-characters"
);
