//! Attestations: what automated checks cannot decide, evidenced by a person. An
//! attestation covers one requirement of one framework that has no checks (a manual
//! one): a statement, who attests it, the period it is valid for, and evidence files
//! identified by SHA-256, media type and size. While valid, the requirement is
//! `attested` (distinct from an automated pass); once expired it is manual again.
//!
//! Attestations come from a file (`securebase scan --attestations attestations.toml`,
//! parsed here with every problem named by its line) or from the service's store.

mod file;

pub use file::{FileError, parse_file};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The default cap on one evidence file.
pub const DEFAULT_EVIDENCE_MAX_BYTES: u64 = 20 << 20;

/// One evidence file, as identified in reports and the audit package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Its file name (no directories).
    pub name: String,
    /// SHA-256 of its bytes, hex: how it is stored and downloaded.
    pub sha256: String,
    /// Its media type.
    pub media_type: String,
    /// Its size in bytes.
    pub size: u64,
}

impl Evidence {
    /// Identifies a file's bytes.
    pub fn of(name: &str, bytes: &[u8]) -> Self {
        Self {
            name: name.to_string(),
            sha256: Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect(),
            media_type: media_type(name).to_string(),
            size: bytes.len() as u64,
        }
    }
}

/// A media type from a file name's extension (what auditors are sent: documents,
/// spreadsheets, images, text).
pub fn media_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "txt" | "log" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "json" => "application/json",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// One requirement evidenced by a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    /// Its id (`A<n>` for the n-th file entry; the service's own otherwise).
    pub id: String,
    /// The framework id.
    pub framework: String,
    /// The requirement id within it (a manual requirement).
    pub requirement: String,
    /// What is attested.
    pub statement: String,
    /// Who attests it.
    pub attested_by: String,
    /// The first day it is valid (`YYYY-MM-DD`).
    pub valid_from: String,
    /// The last day it is valid (`YYYY-MM-DD`); from the next day on the requirement is manual again.
    pub valid_until: String,
    /// The evidence.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

/// Where an attestation stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Valid: the requirement is attested.
    Valid,
    /// Its period has not begun.
    NotYet,
    /// Its period has ended: the requirement is manual again.
    Expired,
}

impl Validity {
    /// Its name in the scan document.
    pub fn as_str(self) -> &'static str {
        match self {
            Validity::Valid => "valid",
            Validity::NotYet => "not_yet_valid",
            Validity::Expired => "expired",
        }
    }
}

fn day(s: &str) -> Option<i64> {
    (s.len() == 10).then(|| securebase_inventory::time::parse_rfc3339(s)).flatten()
}

impl Attestation {
    /// Where it stands at `now` (Unix seconds); a malformed date is never valid.
    pub fn validity(&self, now: i64) -> Validity {
        match (day(&self.valid_from), day(&self.valid_until)) {
            (Some(from), _) if now < from => Validity::NotYet,
            (Some(_), Some(until)) if now < until + 86_400 => Validity::Valid,
            _ => Validity::Expired,
        }
    }

    /// Each problem with it as `field: what is wrong` (the framework and requirement are
    /// the caller's to check against the catalogue).
    pub fn problems(&self) -> Vec<String> {
        let mut out = vec![];
        for (field, value, what) in [
            ("framework", &self.framework, "a framework id"),
            ("requirement", &self.requirement, "a requirement id of the framework"),
            ("statement", &self.statement, "what is attested"),
            ("attested_by", &self.attested_by, "who attests it"),
        ] {
            if value.trim().is_empty() {
                out.push(format!("{field}: required ({what})"));
            }
        }
        let (from, until) = (day(&self.valid_from), day(&self.valid_until));
        if from.is_none() {
            out.push(format!("valid_from: \"{}\" is not a date (YYYY-MM-DD)", self.valid_from));
        }
        if until.is_none() {
            out.push(format!("valid_until: \"{}\" is not a date (YYYY-MM-DD); required", self.valid_until));
        }
        if let (Some(f), Some(u)) = (from, until)
            && u < f
        {
            out.push(format!("valid_until: {} is before valid_from {}", self.valid_until, self.valid_from));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        securebase_inventory::time::parse_rfc3339(s).unwrap()
    }

    fn attestation() -> Attestation {
        Attestation {
            id: "A1".into(),
            framework: "hipaa".into(),
            requirement: "164.308(a)(7)(i)".into(),
            statement: "The contingency plan was tested on 2026-10-14.".into(),
            attested_by: "ciso@acme-health.example".into(),
            valid_from: "2026-10-14".into(),
            valid_until: "2027-10-13".into(),
            evidence: vec![],
        }
    }

    #[test]
    fn valid_through_its_last_day_only() {
        let a = attestation();
        assert_eq!(a.validity(at("2026-10-13T23:59:59Z")), Validity::NotYet);
        assert_eq!(a.validity(at("2026-10-14T00:00:00Z")), Validity::Valid);
        assert_eq!(a.validity(at("2027-10-13T23:59:59Z")), Validity::Valid);
        assert_eq!(a.validity(at("2027-10-14T00:00:00Z")), Validity::Expired);
    }

    #[test]
    fn problems_name_the_field() {
        assert!(attestation().problems().is_empty());
        let mut a = attestation();
        a.statement = String::new();
        a.valid_until = "2026-01-01".into();
        assert_eq!(a.problems(), ["statement: required (what is attested)", "valid_until: 2026-01-01 is before valid_from 2026-10-14"]);
    }

    #[test]
    fn evidence_is_identified_by_its_bytes() {
        let e = Evidence::of("plan.PDF", b"abc");
        assert_eq!(e.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!((e.media_type.as_str(), e.size), ("application/pdf", 3));
        assert_eq!(media_type("notes"), "application/octet-stream");
    }
}
