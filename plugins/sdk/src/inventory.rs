//! Typed, cached access to one account's configuration items.
//!
//! The host hands a resource type's items over in the encoded form of contract 1.1
//! (`securebase_inventory::encoded`): parsed once by the host for every plugin of the
//! account. An [`Item`] reads its fields from those bytes in place; only code that asks
//! for a whole `serde_json::Value` ([`Item::config`], [`Item::supplementary`]) has one
//! built, once per item. The inventory reads each resource type once per evaluation and
//! shares the items between all the checks of a plugin.

use securebase_inventory::encoded::{ITEM_FIELDS, Node};
use serde_json::Value;
use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// A configuration item as the host keeps it (JSON as text): fixtures, the native
/// baseline and the sandbox all start from this shape.
pub use securebase_inventory::ConfigItem as RawItem;

/// Where an inventory's items come from: the host (in the sandbox) or a fixture (natively).
pub trait Source {
    /// The account being evaluated.
    fn account_id(&self) -> String;
    /// When the inventory was captured, RFC 3339.
    fn captured_at(&self) -> String;
    /// Every item of one type, encoded (`securebase_inventory::encoded::encode_items`).
    fn encoded_items(&self, resource_type: &str) -> Vec<u8>;
}

/// One configuration item, read in place from its resource type's encoded items.
#[derive(Clone)]
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
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Set when the configuration was not valid JSON; checks should report `error`.
    pub invalid: Option<String>,
    /// The resource type's encoded items, shared by all of them.
    encoded: Rc<[u8]>,
    /// Where this item's `configuration` and `supplementaryConfiguration` start in it.
    configuration_offset: usize,
    supplementary_offset: usize,
    /// The two documents as `Value`s, built on first demand.
    configuration_value: OnceCell<Value>,
    supplementary_value: OnceCell<Value>,
}

/// The item, not the buffer of its whole resource type that it reads from.
impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Item")
            .field("resource_type", &self.resource_type)
            .field("resource_id", &self.resource_id)
            .field("resource_name", &self.resource_name)
            .field("region", &self.region)
            .field("invalid", &self.invalid)
            .field("configuration", &self.configuration_doc())
            .field("supplementary", &self.supplementary_doc())
            .finish()
    }
}

impl Item {
    /// Every item of an encoded resource type. An item the SDK cannot read (which only a
    /// host bug would send) comes with `invalid` set, so its checks report `error`.
    fn read_all(encoded: Rc<[u8]>) -> Vec<Item> {
        let root = Node::new(&encoded);
        // The count is the host's word; an item takes at least 9 bytes.
        let mut items = Vec::with_capacity(root.len().unwrap_or(0).min(encoded.len() / 9));
        for node in root.elements() {
            let mut fields = [Node::new(&[]); ITEM_FIELDS];
            let mut n = 0;
            for (slot, field) in fields.iter_mut().zip(node.elements()) {
                *slot = field;
                n += 1;
            }
            let text = |i: usize| fields[i].as_str().map(str::to_string);
            let at = |i: usize| if i < n { fields[i].offset_in(&encoded).unwrap_or(encoded.len()) } else { encoded.len() };
            let invalid = if n == ITEM_FIELDS {
                text(7)
            } else {
                Some(format!("the host sent an item of {n} fields; contract 1.1 has {ITEM_FIELDS}"))
            };
            items.push(Item {
                resource_type: text(0).unwrap_or_default(),
                resource_id: text(1).unwrap_or_default(),
                resource_name: text(2),
                account_id: text(3).unwrap_or_default(),
                region: text(4).unwrap_or_default(),
                arn: text(5),
                tags: fields[6].members().filter_map(|(k, v)| Some((k.to_string(), v.as_str()?.to_string()))).collect(),
                invalid,
                configuration_offset: at(8),
                supplementary_offset: at(9),
                encoded: encoded.clone(),
                configuration_value: OnceCell::new(),
                supplementary_value: OnceCell::new(),
            });
        }
        items
    }

    /// The whole `configuration` (`Null` when it was not valid JSON), in place.
    pub fn configuration_doc(&self) -> Node<'_> {
        Node::new(self.encoded.get(self.configuration_offset..).unwrap_or(&[]))
    }

    /// The whole `supplementaryConfiguration` (an object, possibly empty), in place.
    pub fn supplementary_doc(&self) -> Node<'_> {
        Node::new(self.encoded.get(self.supplementary_offset..).unwrap_or(&[]))
    }

    /// The whole `configuration` as a `Value` (built on first use, then kept).
    pub fn configuration(&self) -> &Value {
        self.configuration_value.get_or_init(|| self.configuration_doc().to_value())
    }

    /// The whole `supplementaryConfiguration` as a `Value` (built on first use, then kept).
    pub fn supplementary_configuration(&self) -> &Value {
        self.supplementary_value.get_or_init(|| self.supplementary_doc().to_value())
    }

    /// A value in `configuration` by JSON pointer (`/a/b/0`), as a `Value`: the first
    /// such call builds the whole document. Prefer [`Item::config_node`] or the typed
    /// getters, which read in place.
    pub fn config(&self, pointer: &str) -> Option<&Value> {
        self.configuration().pointer(pointer)
    }

    /// A value in `configuration` by JSON pointer, read in place.
    pub fn config_node(&self, pointer: &str) -> Option<Node<'_>> {
        self.configuration_doc().pointer(pointer)
    }

    /// A boolean in `configuration`; AWS Config sometimes renders booleans as strings.
    pub fn config_bool(&self, pointer: &str) -> Option<bool> {
        node_bool(self.config_node(pointer)?)
    }

    /// A string in `configuration`.
    pub fn config_str(&self, pointer: &str) -> Option<&str> {
        self.config_node(pointer)?.as_str()
    }

    /// A number in `configuration`; accepts numeric strings too.
    pub fn config_i64(&self, pointer: &str) -> Option<i64> {
        node_i64(self.config_node(pointer)?)
    }

    /// A value in `supplementaryConfiguration` by JSON pointer, as a `Value` (see
    /// [`Item::config`]).
    pub fn supplementary(&self, pointer: &str) -> Option<&Value> {
        self.supplementary_configuration().pointer(pointer)
    }

    /// A value in `supplementaryConfiguration` by JSON pointer, read in place.
    pub fn supplementary_node(&self, pointer: &str) -> Option<Node<'_>> {
        self.supplementary_doc().pointer(pointer)
    }

    /// A string in `supplementaryConfiguration`.
    pub fn supplementary_str(&self, pointer: &str) -> Option<&str> {
        self.supplementary_node(pointer)?.as_str()
    }

    /// A boolean in `supplementaryConfiguration`.
    pub fn supplementary_bool(&self, pointer: &str) -> Option<bool> {
        node_bool(self.supplementary_node(pointer)?)
    }

    /// The item's display name: its name if it has one, else its id.
    pub fn name(&self) -> &str {
        self.resource_name.as_deref().unwrap_or(&self.resource_id)
    }
}

/// [`as_bool`] over an encoded value.
pub fn node_bool(v: Node<'_>) -> Option<bool> {
    v.as_bool().or_else(|| match v.as_str()? {
        s if s.eq_ignore_ascii_case("true") => Some(true),
        s if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// [`as_i64`] over an encoded value.
pub fn node_i64(v: Node<'_>) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// `v` in the encoded form, for unit tests of code that reads a [`Node`]
/// (`Node::new(&encode(&json!(...)))`).
pub fn encode(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    securebase_inventory::encoded::value(&mut out, v);
    out
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

    /// Every item of one resource type (read once, then shared).
    pub fn items(&self, resource_type: &str) -> Rc<[Item]> {
        if let Some(hit) = self.cache.borrow().get(resource_type) {
            return hit.clone();
        }
        let parsed: Rc<[Item]> = Item::read_all(self.source.encoded_items(resource_type).into()).into();
        self.cache.borrow_mut().insert(resource_type.to_string(), parsed.clone());
        parsed
    }
}
