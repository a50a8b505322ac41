//! Typed, cached access to one account's configuration items.
//!
//! The host hands items over with their configuration as JSON text; the inventory
//! parses each resource type once per evaluation and shares the parsed items
//! between all the checks of a plugin.

use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// A configuration item as it crosses the plugin boundary (JSON as text): the host's
/// own type, so fixtures, the native baseline and the sandbox all share one shape.
pub use securebase_inventory::ConfigItem as RawItem;

/// Where an inventory's items come from: the host (in the sandbox) or a fixture (natively).
pub trait Source {
    /// The account being evaluated.
    fn account_id(&self) -> String;
    /// When the inventory was captured, RFC 3339.
    fn captured_at(&self) -> String;
    /// Every item of one type.
    fn items(&self, resource_type: &str) -> Vec<RawItem>;
}

/// A configuration item with its JSON parsed.
#[derive(Debug, Clone)]
pub struct Item {
    /// e.g. `AWS::S3::Bucket`.
    pub resource_type: String,
    /// The resource id.
    pub resource_id: String,
    /// The resource name, where it has one.
    pub resource_name: Option<String>,
    /// The owning account.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// The ARN, where it has one.
    pub arn: Option<String>,
    /// The parsed `configuration` (`Null` when it was not valid JSON).
    pub configuration: Value,
    /// The parsed `supplementaryConfiguration` (an object, possibly empty).
    pub supplementary: Value,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Set when the configuration was not valid JSON; checks should report `error`.
    pub invalid: Option<String>,
}

impl Item {
    fn parse(raw: RawItem) -> Self {
        let mut invalid = None;
        let configuration = serde_json::from_str(&raw.configuration).unwrap_or_else(|e| {
            invalid = Some(format!("configuration is not valid JSON: {e}"));
            Value::Null
        });
        let supplementary = if raw.supplementary_configuration.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(&raw.supplementary_configuration).unwrap_or_else(|e| {
                invalid = Some(format!("supplementaryConfiguration is not valid JSON: {e}"));
                Value::Object(Default::default())
            })
        };
        Item {
            resource_type: raw.resource_type,
            resource_id: raw.resource_id,
            resource_name: raw.resource_name,
            account_id: raw.account_id,
            region: raw.aws_region,
            arn: raw.arn,
            configuration,
            supplementary,
            tags: raw.tags.into_iter().collect(),
            invalid,
        }
    }

    /// A value in `configuration` by JSON pointer (`/a/b/0`).
    pub fn config(&self, pointer: &str) -> Option<&Value> {
        self.configuration.pointer(pointer)
    }

    /// A boolean in `configuration`; AWS Config sometimes renders booleans as strings.
    pub fn config_bool(&self, pointer: &str) -> Option<bool> {
        as_bool(self.config(pointer)?)
    }

    /// A string in `configuration`.
    pub fn config_str(&self, pointer: &str) -> Option<&str> {
        self.config(pointer)?.as_str()
    }

    /// A number in `configuration`; accepts numeric strings too.
    pub fn config_i64(&self, pointer: &str) -> Option<i64> {
        as_i64(self.config(pointer)?)
    }

    /// A value in `supplementaryConfiguration` by JSON pointer.
    pub fn supplementary(&self, pointer: &str) -> Option<&Value> {
        self.supplementary.pointer(pointer)
    }

    /// A string in `supplementaryConfiguration`.
    pub fn supplementary_str(&self, pointer: &str) -> Option<&str> {
        self.supplementary(pointer)?.as_str()
    }

    /// A boolean in `supplementaryConfiguration`.
    pub fn supplementary_bool(&self, pointer: &str) -> Option<bool> {
        as_bool(self.supplementary(pointer)?)
    }

    /// The item's display name: its name if it has one, else its id.
    pub fn name(&self) -> &str {
        self.resource_name.as_deref().unwrap_or(&self.resource_id)
    }
}

/// `true`/`false`, or the strings `"true"`/`"false"` AWS Config uses in places.
pub fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A number, or a numeric string.
pub fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// One account's inventory as a plugin sees it.
pub struct Inventory {
    source: Box<dyn Source>,
    cache: RefCell<HashMap<String, Rc<[Item]>>>,
}

impl std::fmt::Debug for Inventory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inventory").field("account_id", &self.source.account_id()).finish()
    }
}

impl Inventory {
    /// An inventory reading from `source`.
    pub fn new(source: impl Source + 'static) -> Self {
        Self { source: Box::new(source), cache: RefCell::new(HashMap::new()) }
    }

    /// The account being evaluated.
    pub fn account_id(&self) -> String {
        self.source.account_id()
    }

    /// When the inventory was captured, in seconds since the Unix epoch.
    /// `None` if the host sent a timestamp that is not RFC 3339.
    pub fn captured_at(&self) -> Option<i64> {
        crate::time::parse_rfc3339(&self.source.captured_at())
    }

    /// Every item of one resource type (parsed once, then shared).
    pub fn items(&self, resource_type: &str) -> Rc<[Item]> {
        if let Some(hit) = self.cache.borrow().get(resource_type) {
            return hit.clone();
        }
        let parsed: Rc<[Item]> = self.source.items(resource_type).into_iter().map(Item::parse).collect();
        self.cache.borrow_mut().insert(resource_type.to_string(), parsed.clone());
        parsed
    }
}
