//! The password policy requires a lower-case letter.

pub const CHECK: securebase_plugin_sdk::Check = crate::password::password_flag_check!(
    "iam_password_policy_lowercase",
    "The IAM password policy requires at least one lowercase letter",
    "requireLowercaseCharacters",
    "at least one lowercase letter",
    "--require-lowercase-characters"
);
