//! The bundled demo organization: Acme Health, three accounts with a realistic mix
//! of compliant and non-compliant resources. Embedded so `securebase scan --demo`
//! works from any directory with nothing but the binary.

use crate::{Snapshot, parse_account};

const FILES: [(&str, &str); 3] = [
    ("demo/acme-health/111111111111-production.json", include_str!("../demo/acme-health/111111111111-production.json")),
    ("demo/acme-health/222222222222-staging.json", include_str!("../demo/acme-health/222222222222-staging.json")),
    ("demo/acme-health/333333333333-security.json", include_str!("../demo/acme-health/333333333333-security.json")),
];

/// The demo organization.
pub fn demo() -> Snapshot {
    let accounts = FILES
        .iter()
        .map(|(name, text)| parse_account(text, name).unwrap_or_else(|e| panic!("the bundled demo data is invalid: {e}")))
        .collect();
    Snapshot { source: "demo (Acme Health)".to_string(), accounts }
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_loads_with_three_accounts_and_many_resource_types() {
        let snap = super::demo();
        assert_eq!(snap.accounts.len(), 3);
        for a in &snap.accounts {
            assert!(a.len() >= 10, "{} has only {} items", a.account_id(), a.len());
            assert!(a.resource_types().count() >= 8);
        }
    }
}
