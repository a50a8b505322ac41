//! The password-policy checks that each require one setting to be on.

/// Declares "the password policy requires `$field`".
macro_rules! password_flag_check {
    ($id:literal, $title:literal, $field:literal, $what:literal, $flag:literal) => {
        securebase_plugin_sdk::Check {
            meta: securebase_plugin_sdk::CheckMeta {
                id: $id,
                title: $title,
                severity: securebase_plugin_sdk::Severity::Medium,
                resource_types: &[crate::PASSWORD_POLICY],
                rationale: "Character-class requirements make passwords harder to guess; AWS Config's IAM_PASSWORD_POLICY rule checks each of them.",
                remediation: concat!("aws iam update-account-password-policy ", $flag, " (plus the account's other settings, which this call replaces)"),
                references: &[securebase_plugin_sdk::reference("aws-config-rule", "IAM_PASSWORD_POLICY"), securebase_plugin_sdk::reference("prowler", $id)],
            },
            run: |inv, out| {
                for p in inv.items(crate::PASSWORD_POLICY).iter() {
                    out.verdict(
                        p,
                        p.config_bool(concat!("/", $field)) == Some(true),
                        concat!("The password policy requires ", $what, "."),
                        concat!("The password policy does not require ", $what, "."),
                    );
                }
            },
        }
    };
}
pub(crate) use password_flag_check;
