//! The RDS instance checks that each read one setting of the instance.

/// Declares "every DB instance has `$field` = `$want`". `None` for `$want` means "a
/// positive number" (backup retention days).
macro_rules! instance_check {
    ($id:literal, $title:literal, $field:literal, $want:expr, $severity:ident, $rule:literal, [$($cis:literal)?], $why:literal, $fix:literal, $ok:literal, $bad:literal) => {
        securebase_plugin_sdk::Check {
            meta: securebase_plugin_sdk::CheckMeta {
                id: $id,
                title: $title,
                severity: securebase_plugin_sdk::Severity::$severity,
                resource_types: &[crate::INSTANCE],
                rationale: $why,
                remediation: $fix,
                references: &[
                    securebase_plugin_sdk::reference("aws-config-rule", $rule),
                    securebase_plugin_sdk::reference("prowler", $id),
                    $(securebase_plugin_sdk::reference("cis", $cis),)?
                ],
            },
            run: |inv, out| {
                let want: Option<bool> = $want;
                for db in inv.items(crate::INSTANCE).iter() {
                    let ok = match want {
                        Some(w) => db.config_bool(concat!("/", $field)) == Some(w),
                        None => db.config_i64(concat!("/", $field)).is_some_and(|n| n > 0),
                    };
                    let name = db.name();
                    out.verdict(db, ok, format!("DB instance {name} {}.", $ok), format!("DB instance {name} {}.", $bad));
                }
            },
        }
    };
}
pub(crate) use instance_check;
