//! The inventory a scan evaluated, kept so that a finding an auditor questions can be
//! reproduced later (`securebase plugin replay`). It is kept in the snapshot upload
//! format (a JSON array of account documents, which `POST .../scans` also accepts) and
//! identified by the SHA-256 of its compact JSON text, which the scan document records:
//! an inventory that does not hash to that value is not the one the scan evaluated.

use crate::ScanReport;
use securebase_inventory::{AccountInventory, InventoryError, Snapshot};
use serde_json::Value;

/// Why a scan's inventory cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum KeptError {
    /// The scan did not keep what it evaluated.
    #[error(
        "the scan document does not keep the inventory it evaluated (no `inventory_sha256`); \
         run the scan with --keep-inventory, or replay a scan stored by the service (--server)"
    )]
    NotKept,
    /// The document records a digest but carries no inventory (the service keeps it apart).
    #[error(
        "the scan document records its inventory's SHA-256 but does not carry the inventory; \
         the service keeps it: replay with --server URL --tenant ID --scan SCAN_ID"
    )]
    NotCarried,
    /// The inventory is not the one the scan evaluated.
    #[error("the inventory's SHA-256 is {actual}, but the scan document records {recorded}: it is not the inventory that scan evaluated")]
    Mismatch {
        /// What the document records.
        recorded: String,
        /// What the inventory hashes to.
        actual: String,
    },
    /// The kept documents do not read back as an inventory.
    #[error("the kept inventory cannot be read: {0}")]
    Inventory(#[from] InventoryError),
}

/// An inventory as kept: its account documents, their compact JSON and its SHA-256.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptInventory {
    documents: Vec<Value>,
    json: String,
    sha256: String,
}

impl KeptInventory {
    /// Keeps these accounts (in the order given: a snapshot's, by account id).
    pub fn of<'a>(accounts: impl IntoIterator<Item = &'a AccountInventory>) -> Self {
        Self::from_documents(accounts.into_iter().map(securebase_inventory::to_value).collect())
    }

    /// Account documents as read back (from a scan document or the service).
    pub fn from_documents(documents: Vec<Value>) -> Self {
        // serde_json's maps are sorted, so the compact text (and the digest) of the same
        // documents is the same whoever serializes them.
        let json = serde_json::to_string(&documents).expect("a JSON value always serializes");
        let sha256 = securebase_runtime::cache::sha256_hex(json.as_bytes());
        Self { documents, json, sha256 }
    }

    /// The compact JSON array.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The SHA-256 of [`Self::json`], hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The account documents.
    pub fn documents(&self) -> &[Value] {
        &self.documents
    }

    /// The inventory again, if it is the one `report` evaluated.
    pub fn verified_for(&self, report: &ScanReport) -> Result<Snapshot, KeptError> {
        let recorded = report.inventory_sha256.as_deref().ok_or(KeptError::NotKept)?;
        if recorded != self.sha256 {
            return Err(KeptError::Mismatch { recorded: recorded.into(), actual: self.sha256.clone() });
        }
        Ok(securebase_inventory::from_documents(&self.documents, &report.source)?)
    }
}

impl ScanReport {
    /// Records the kept inventory's digest, and carries the inventory itself when `embed`
    /// (a scan document written by the CLI; the service stores it beside the document).
    pub fn keep_inventory(&mut self, kept: &KeptInventory, embed: bool) {
        self.inventory_sha256 = Some(kept.sha256.clone());
        self.inventory = embed.then(|| kept.documents.clone());
    }

    /// The inventory this document carries, checked against the digest it records.
    pub fn carried_inventory(&self) -> Result<Snapshot, KeptError> {
        if self.inventory_sha256.is_none() {
            return Err(KeptError::NotKept);
        }
        let documents = self.inventory.clone().ok_or(KeptError::NotCarried)?;
        KeptInventory::from_documents(documents).verified_for(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document with no results: keeping an inventory does not depend on them.
    fn report() -> ScanReport {
        serde_json::from_value(serde_json::json!({
            "schema": crate::SCAN_SCHEMA,
            "engine": {"name": "securebase", "version": "0", "allocator": "on-demand"},
            "source": "demo", "started_at": "2026-12-03T00:00:00Z", "duration_ms": 0,
            "plugins": [], "frameworks": [], "accounts": [], "plugin_errors": [],
            "organization": {"accounts": 0, "resources": 0, "frameworks": []},
        }))
        .unwrap()
    }

    #[test]
    fn a_carried_inventory_reads_back_as_the_one_evaluated() {
        let demo = securebase_inventory::demo();
        assert!(demo.accounts.len() >= 2, "the demo has several accounts");
        let kept = KeptInventory::of(&demo.accounts);
        assert_eq!(kept.documents().len(), demo.accounts.len());
        assert_eq!(kept.sha256().len(), 64);
        let mut r = report();
        assert!(matches!(r.carried_inventory(), Err(KeptError::NotKept)));
        r.keep_inventory(&kept, true);
        // Through the document's JSON and back, as `plugin replay --scan` reads it.
        let r: ScanReport = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        let again = r.carried_inventory().unwrap();
        assert_eq!(again.accounts, demo.accounts);
        // Keeping the same inventory again gives the same digest.
        assert_eq!(KeptInventory::of(&again.accounts).sha256(), kept.sha256());
    }

    #[test]
    fn a_changed_or_missing_inventory_is_refused() {
        let demo = securebase_inventory::demo();
        let kept = KeptInventory::of(&demo.accounts);
        let mut r = report();
        r.keep_inventory(&kept, false);
        assert!(matches!(r.carried_inventory(), Err(KeptError::NotCarried)));
        r.keep_inventory(&kept, true);
        let docs = r.inventory.as_mut().unwrap();
        docs[0]["configurationItems"][0]["resourceId"] = "someone-else".into();
        match r.carried_inventory() {
            Err(KeptError::Mismatch { recorded, actual }) => {
                assert_eq!(recorded, kept.sha256());
                assert_ne!(actual, recorded);
            }
            other => panic!("expected a mismatch, got {other:?}"),
        }
    }
}
