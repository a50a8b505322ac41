//! The password policy requires a symbol.

pub const CHECK: securebase_plugin_sdk::Check = crate::password::password_flag_check!(
    "iam_password_policy_symbol",
    "The IAM password policy requires at least one symbol",
    "requireSymbols",
    "at least one symbol",
    "--require-symbols"
);
