//! The inventory: AWS Config configuration items, one shape whatever the source.
//!
//! Every collector (snapshot files today, AWS APIs later) produces
//! [`AccountInventory`] values made of [`ConfigItem`]s, so a plugin cannot tell a live
//! scan from a snapshot and a snapshot taken today can be re-evaluated next year.
//! The file format is documented in `host/inventory/README.md`.

mod demo;
pub mod encoded;
mod error;
mod snapshot;
pub mod time;

pub use demo::demo;
pub use error::InventoryError;
pub use snapshot::{from_documents, load_dir, parse_account, to_json, to_value};

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// The schema tag written into and expected from snapshot account files.
pub const SNAPSHOT_SCHEMA: &str = "securebase.inventory/v1";

/// One AWS Config configuration item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigItem {
    /// e.g. `AWS::S3::Bucket`, or one of our own `SecureBase::*` types.
    pub resource_type: String,
    /// The id AWS Config uses for the resource.
    pub resource_id: String,
    /// The resource's name, where it has one.
    pub resource_name: Option<String>,
    /// The owning account.
    pub account_id: String,
    /// The region, or `global`.
    pub aws_region: String,
    /// The ARN, where it has one.
    pub arn: Option<String>,
    /// `configuration`, as compact JSON text (what crosses into plugins).
    pub configuration: String,
    /// `supplementaryConfiguration`, as one compact JSON object.
    pub supplementary_configuration: String,
    /// Tags, sorted by key.
    pub tags: Vec<(String, String)>,
}

/// One account's configuration items, indexed by resource type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInventory {
    account_id: String,
    account_name: Option<String>,
    captured_at: String,
    by_type: BTreeMap<String, Vec<ConfigItem>>,
    len: usize,
    encoded: BTreeMap<String, Encoded>,
}

/// One resource type's items in the encoded form of contract 1.1, made on first use and
/// then shared by every plugin that evaluates the account. A cache: it takes no part in
/// comparisons.
#[derive(Default, Clone)]
struct Encoded(OnceLock<Arc<[u8]>>);

impl PartialEq for Encoded {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Encoded {}

impl std::fmt::Debug for Encoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "encoded" } else { "not encoded yet" })
    }
}

impl AccountInventory {
    /// Builds an inventory, refusing items of another account and duplicate resources.
    /// `origin` names where the items came from, for error messages.
    pub fn new(
        origin: &str,
        account_id: impl Into<String>,
        account_name: Option<String>,
        captured_at: impl Into<String>,
        items: impl IntoIterator<Item = ConfigItem>,
    ) -> Result<Self, InventoryError> {
        let account_id = account_id.into();
        let captured_at = captured_at.into();
        if !is_account_id(&account_id) {
            return Err(InventoryError::field(origin, "accountId", "a 12-digit AWS account id", &account_id));
        }
        if time::parse_rfc3339(&captured_at).is_none() {
            return Err(InventoryError::field(origin, "capturedAt", "an RFC 3339 timestamp", &captured_at));
        }
        let mut by_type: BTreeMap<String, Vec<ConfigItem>> = BTreeMap::new();
        let mut len = 0;
        for item in items {
            if item.account_id != account_id {
                return Err(InventoryError::ForeignItem {
                    origin: origin.to_string(),
                    resource: format!("{} {}", item.resource_type, item.resource_id),
                    item_account: item.account_id,
                    account: account_id,
                });
            }
            by_type.entry(item.resource_type.clone()).or_default().push(item);
            len += 1;
        }
        for (resource_type, items) in &mut by_type {
            items.sort_by(|a, b| a.resource_id.cmp(&b.resource_id));
            if let Some(pair) = items.windows(2).find(|w| w[0].resource_id == w[1].resource_id) {
                return Err(InventoryError::Duplicate {
                    origin: origin.to_string(),
                    resource: format!("{resource_type} {}", pair[0].resource_id),
                });
            }
        }
        let encoded = by_type.keys().map(|t| (t.clone(), Encoded::default())).collect();
        Ok(Self { account_id, account_name, captured_at, by_type, len, encoded })
    }

    /// The AWS account id.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// A human name for the account, when the source knows one.
    pub fn account_name(&self) -> Option<&str> {
        self.account_name.as_deref()
    }

    /// When the inventory was captured (RFC 3339).
    pub fn captured_at(&self) -> &str {
        &self.captured_at
    }

    /// Items of one type, sorted by resource id; empty if there are none.
    pub fn items(&self, resource_type: &str) -> &[ConfigItem] {
        self.by_type.get(resource_type).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Items of one type in the encoded form plugins of contract 1.1 read
    /// ([`encoded::encode_items`]): made once, on first use, then shared.
    pub fn encoded_items(&self, resource_type: &str) -> Arc<[u8]> {
        match self.encoded.get(resource_type) {
            Some(cell) => cell.0.get_or_init(|| encoded::encode_items(self.items(resource_type)).into()).clone(),
            None => encoded::encode_items(&[]).into(),
        }
    }

    /// Encodes every resource type now rather than on first use (benchmarks time it apart).
    pub fn encode_all(&self) {
        for resource_type in self.by_type.keys() {
            self.encoded_items(resource_type);
        }
    }

    /// The resource types present.
    pub fn resource_types(&self) -> impl Iterator<Item = &str> {
        self.by_type.keys().map(String::as_str)
    }

    /// One item by type and id.
    pub fn get(&self, resource_type: &str, resource_id: &str) -> Option<&ConfigItem> {
        let items = self.items(resource_type);
        items.binary_search_by(|i| i.resource_id.as_str().cmp(resource_id)).ok().map(|i| &items[i])
    }

    /// Every item, by type then id.
    pub fn iter(&self) -> impl Iterator<Item = &ConfigItem> {
        self.by_type.values().flatten()
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no items at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A set of account inventories: an organization, or part of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Where it came from (a directory, `demo`), for reports.
    pub source: String,
    /// The accounts, sorted by account id.
    pub accounts: Vec<AccountInventory>,
}

/// Twelve ASCII digits.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(account: &str, rt: &str, id: &str) -> ConfigItem {
        ConfigItem {
            resource_type: rt.into(),
            resource_id: id.into(),
            resource_name: None,
            account_id: account.into(),
            aws_region: "us-east-1".into(),
            arn: None,
            configuration: "{}".into(),
            supplementary_configuration: "{}".into(),
            tags: vec![],
        }
    }

    #[test]
    fn indexes_by_type_and_id() {
        let inv = AccountInventory::new(
            "t",
            "111111111111",
            None,
            "2026-11-01T00:00:00Z",
            vec![item("111111111111", "AWS::S3::Bucket", "b"), item("111111111111", "AWS::S3::Bucket", "a")],
        )
        .unwrap();
        assert_eq!(inv.len(), 2);
        assert_eq!(inv.items("AWS::S3::Bucket")[0].resource_id, "a");
        assert!(inv.get("AWS::S3::Bucket", "b").is_some());
        assert!(inv.get("AWS::S3::Bucket", "c").is_none());
        assert!(inv.items("AWS::EC2::Volume").is_empty());
    }

    #[test]
    fn refuses_foreign_and_duplicate_items() {
        let e = AccountInventory::new("f.json", "111111111111", None, "2026-11-01T00:00:00Z", vec![item("222222222222", "X", "a")])
            .unwrap_err();
        assert!(e.to_string().contains("222222222222"), "{e}");
        let e = AccountInventory::new(
            "f.json",
            "111111111111",
            None,
            "2026-11-01T00:00:00Z",
            vec![item("111111111111", "X", "a"), item("111111111111", "X", "a")],
        )
        .unwrap_err();
        assert!(e.to_string().contains("duplicate"), "{e}");
    }

    #[test]
    fn refuses_bad_account_ids_and_times() {
        assert!(AccountInventory::new("f", "12345", None, "2026-11-01T00:00:00Z", vec![]).is_err());
        assert!(AccountInventory::new("f", "111111111111", None, "last tuesday", vec![]).is_err());
    }
}
