//! The framework files shipped in `frameworks/`, embedded in the binary.

use crate::Framework;

const FILES: [(&str, &str); 6] = [
    ("frameworks/cis-aws-foundations.toml", include_str!("../../../frameworks/cis-aws-foundations.toml")),
    ("frameworks/soc2.toml", include_str!("../../../frameworks/soc2.toml")),
    ("frameworks/hipaa.toml", include_str!("../../../frameworks/hipaa.toml")),
    ("frameworks/fedramp-moderate.toml", include_str!("../../../frameworks/fedramp-moderate.toml")),
    ("frameworks/iso27001-2022.toml", include_str!("../../../frameworks/iso27001-2022.toml")),
    ("frameworks/pci-dss-v4.toml", include_str!("../../../frameworks/pci-dss-v4.toml")),
];

/// The built-in frameworks, in a fixed order.
pub fn builtin() -> Vec<Framework> {
    FILES
        .iter()
        .map(|(name, text)| Framework::parse(text, name).unwrap_or_else(|e| panic!("a bundled framework file is invalid: {e}")))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn all_parse_with_unique_ids() {
        let f = super::builtin();
        let ids: Vec<_> = f.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["cis-aws-foundations", "soc2", "hipaa", "fedramp-moderate", "iso27001-2022", "pci-dss-v4"]);
        for fw in &f {
            assert!(fw.requirements.iter().any(|r| !r.checks.is_empty()), "{} maps no checks", fw.id);
        }
    }
}
