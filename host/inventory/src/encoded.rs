//! The encoded inventory of contract 1.1: one resource type's configuration items in a
//! binary form that a plugin reads in place, without parsing JSON.
//!
//! Under contract 1.0 every plugin that read a resource type got its items' configuration
//! as JSON text and parsed it inside the sandbox, under fuel: the same documents parsed
//! once per plugin, by the slowest code in the process. Under 1.1 the host parses each
//! item once per account, natively, into this form ([`encode_items`]); each plugin gets a
//! copy of the bytes (a `memcpy`) and the SDK looks fields up by walking them
//! ([`Node`]), skipping what it does not read by the sizes stored in front of every
//! array and object. The native baseline reads the same bytes, so the sandbox's ratio to
//! native compares like with like.
//!
//! A value is a tag byte and a body; integers are little-endian:
//!
//! | tag | value | body |
//! | --- | --- | --- |
//! | 0 | `null` | |
//! | 1, 2 | `false`, `true` | |
//! | 3 | integer | `i64` |
//! | 4 | integer above `i64::MAX` | `u64` |
//! | 5 | other number | `f64` |
//! | 6 | string | `u32` length, UTF-8 bytes |
//! | 7 | array | `u32` count, `u32` size of the elements in bytes, the elements |
//! | 8 | object | `u32` count, `u32` size in bytes, then per member a key (`u32` length, UTF-8) and a value |
//!
//! Object members keep the order of the JSON text; of repeated keys the last counts. A resource type's items are one array
//! (tag 7) with one array per item of exactly [`ITEM_FIELDS`] values, in this order:
//! resource type, resource id, resource name (or `null`), account id, region, ARN (or
//! `null`), tags (an object of strings), why the item's JSON was invalid (or `null`), the
//! configuration, the supplementary configuration.

use crate::ConfigItem;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const UINT: u8 = 4;
const FLOAT: u8 = 5;
const STRING: u8 = 6;
const ARRAY: u8 = 7;
const OBJECT: u8 = 8;

/// The number of values in one encoded item.
pub const ITEM_FIELDS: usize = 10;

/// Encodes one resource type's items (see the module docs). Each item's configuration
/// is parsed once here; one that is not valid JSON is encoded as `null` (an invalid
/// supplementary configuration as `{}`) with the parser's message in the item's
/// invalid-field, so a check can report `error` for it.
pub fn encode_items(items: &[ConfigItem]) -> Vec<u8> {
    let size: usize = items.iter().map(|i| i.configuration.len() + i.supplementary_configuration.len() + 128).sum();
    let mut out = Vec::with_capacity(size);
    let outer = open(&mut out, ARRAY);
    for item in items {
        let fields = open(&mut out, ARRAY);
        string(&mut out, &item.resource_type);
        string(&mut out, &item.resource_id);
        optional(&mut out, item.resource_name.as_deref());
        string(&mut out, &item.account_id);
        string(&mut out, &item.aws_region);
        optional(&mut out, item.arn.as_deref());
        let tags = open(&mut out, OBJECT);
        for (k, v) in &item.tags {
            key(&mut out, k);
            string(&mut out, v);
        }
        close(&mut out, tags, item.tags.len());
        // The invalid-field comes before the documents, but is only known after them.
        let mut documents = Vec::with_capacity(item.configuration.len() + item.supplementary_configuration.len() + 16);
        let mut invalid = None;
        if let Err(e) = json(&mut documents, &item.configuration) {
            documents.push(NULL);
            invalid = Some(format!("configuration is not valid JSON: {e}"));
        }
        if item.supplementary_configuration.trim().is_empty() {
            empty_object(&mut documents);
        } else if let Err(e) = json(&mut documents, &item.supplementary_configuration) {
            empty_object(&mut documents);
            invalid = Some(format!("supplementaryConfiguration is not valid JSON: {e}"));
        }
        optional(&mut out, invalid.as_deref());
        out.extend_from_slice(&documents);
        close(&mut out, fields, ITEM_FIELDS);
    }
    close(&mut out, outer, items.len());
    out
}

/// Encodes one JSON document, or leaves `out` as it was and says why the text is not JSON.
pub fn json(out: &mut Vec<u8>, text: &str) -> Result<(), serde_json::Error> {
    let start = out.len();
    let mut de = serde_json::Deserializer::from_str(text);
    let done = Encode(out).deserialize(&mut de).and_then(|()| de.end());
    if done.is_err() {
        out.truncate(start);
    }
    done
}

/// Encodes a parsed value (fixtures and tests build documents this way).
pub fn value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(NULL),
        Value::Bool(false) => out.push(FALSE),
        Value::Bool(true) => out.push(TRUE),
        Value::Number(n) => number(out, n.as_i64(), n.as_u64(), n.as_f64()),
        Value::String(s) => string(out, s),
        Value::Array(a) => {
            let at = open(out, ARRAY);
            a.iter().for_each(|e| value(out, e));
            close(out, at, a.len());
        }
        Value::Object(o) => {
            let at = open(out, OBJECT);
            for (k, e) in o {
                key(out, k);
                value(out, e);
            }
            close(out, at, o.len());
        }
    }
}

fn number(out: &mut Vec<u8>, i: Option<i64>, u: Option<u64>, f: Option<f64>) {
    if let Some(i) = i {
        out.push(INT);
        out.extend_from_slice(&i.to_le_bytes());
    } else if let Some(u) = u {
        out.push(UINT);
        out.extend_from_slice(&u.to_le_bytes());
    } else {
        out.push(FLOAT);
        out.extend_from_slice(&f.unwrap_or(0.0).to_le_bytes());
    }
}

fn key(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&len32(s.len()).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn string(out: &mut Vec<u8>, s: &str) {
    out.push(STRING);
    key(out, s);
}

fn optional(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.push(NULL),
    }
}

fn empty_object(out: &mut Vec<u8>) {
    let at = open(out, OBJECT);
    close(out, at, 0);
}

/// Writes a container's tag and room for its count and size; [`close`] fills them in.
fn open(out: &mut Vec<u8>, tag: u8) -> usize {
    out.push(tag);
    out.extend_from_slice(&[0; 8]);
    out.len()
}

fn close(out: &mut [u8], body: usize, count: usize) {
    let size = len32(out.len() - body);
    out[body - 8..body - 4].copy_from_slice(&len32(count).to_le_bytes());
    out[body - 4..body].copy_from_slice(&size.to_le_bytes());
}

/// Lengths are `u32`. One account's items of one type would need 4 GiB of JSON to
/// overflow it, four times what a plugin's memory may hold.
fn len32(n: usize) -> u32 {
    u32::try_from(n).expect("an encoded inventory value is under 4 GiB")
}

/// Streams a JSON document from serde_json's parser straight into the encoding, without
/// building a `serde_json::Value` first.
struct Encode<'a>(&'a mut Vec<u8>);

impl<'de> DeserializeSeed<'de> for Encode<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Encode<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.push(NULL);
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        self.0.push(NULL);
        Ok(())
    }
    fn visit_bool<E>(self, b: bool) -> Result<(), E> {
        self.0.push(if b { TRUE } else { FALSE });
        Ok(())
    }
    fn visit_i64<E>(self, i: i64) -> Result<(), E> {
        number(self.0, Some(i), None, None);
        Ok(())
    }
    fn visit_u64<E>(self, u: u64) -> Result<(), E> {
        number(self.0, i64::try_from(u).ok(), Some(u), None);
        Ok(())
    }
    fn visit_f64<E>(self, f: f64) -> Result<(), E> {
        number(self.0, None, None, Some(f));
        Ok(())
    }
    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        string(self.0, s);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let at = open(self.0, ARRAY);
        let mut count = 0;
        while seq.next_element_seed(Encode(self.0))?.is_some() {
            count += 1;
        }
        close(self.0, at, count);
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let at = open(self.0, OBJECT);
        let mut count = 0;
        while map.next_key_seed(Key(self.0))?.is_some() {
            map.next_value_seed(Encode(self.0))?;
            count += 1;
        }
        close(self.0, at, count);
        Ok(())
    }
}

/// An object key: written without a tag.
struct Key<'a>(&'a mut Vec<u8>);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        key(self.0, s);
        Ok(())
    }
}

/// One value inside an encoded buffer, read in place. Every read checks its bounds: bytes
/// that are not a well-formed encoding read as absent (`None`, no members), never as a
/// panic, whatever their origin.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    /// From this value's tag to the end of the buffer.
    bytes: &'a [u8],
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_value())
    }
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

fn u64_at(bytes: &[u8], at: usize) -> Option<[u8; 8]> {
    bytes.get(at..at + 8)?.try_into().ok()
}

impl<'a> Node<'a> {
    /// The value at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// Where this value starts in `buffer`, if it lies inside it.
    pub fn offset_in(&self, buffer: &[u8]) -> Option<usize> {
        let at = (self.bytes.as_ptr() as usize).checked_sub(buffer.as_ptr() as usize)?;
        (at + self.bytes.len() <= buffer.len()).then_some(at)
    }

    fn tag(&self) -> Option<u8> {
        self.bytes.first().copied()
    }

    /// The bytes this value takes, tag included; `None` if they run past the buffer.
    pub fn size(&self) -> Option<usize> {
        let size = match self.tag()? {
            NULL | FALSE | TRUE => 1,
            INT | UINT | FLOAT => 9,
            STRING => 5usize.checked_add(u32_at(self.bytes, 1)?)?,
            ARRAY | OBJECT => 9usize.checked_add(u32_at(self.bytes, 5)?)?,
            _ => return None,
        };
        (size <= self.bytes.len()).then_some(size)
    }

    /// `null` (or not a value at all).
    pub fn is_null(&self) -> bool {
        self.tag() == Some(NULL)
    }

    /// A boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self.tag()? {
            TRUE => Some(true),
            FALSE => Some(false),
            _ => None,
        }
    }

    /// A number that fits an `i64` (as `serde_json::Value::as_i64`).
    pub fn as_i64(&self) -> Option<i64> {
        match self.tag()? {
            INT => Some(i64::from_le_bytes(u64_at(self.bytes, 1)?)),
            _ => None,
        }
    }

    /// A non-negative integer (as `serde_json::Value::as_u64`).
    pub fn as_u64(&self) -> Option<u64> {
        match self.tag()? {
            INT => u64::try_from(i64::from_le_bytes(u64_at(self.bytes, 1)?)).ok(),
            UINT => Some(u64::from_le_bytes(u64_at(self.bytes, 1)?)),
            _ => None,
        }
    }

    /// Any number, as `f64` (as `serde_json::Value::as_f64`).
    pub fn as_f64(&self) -> Option<f64> {
        let b = u64_at(self.bytes, 1);
        match self.tag()? {
            INT => Some(i64::from_le_bytes(b?) as f64),
            UINT => Some(u64::from_le_bytes(b?) as f64),
            FLOAT => Some(f64::from_le_bytes(b?)),
            _ => None,
        }
    }

    /// A string.
    pub fn as_str(&self) -> Option<&'a str> {
        if self.tag()? != STRING {
            return None;
        }
        let len = u32_at(self.bytes, 1)?;
        std::str::from_utf8(self.bytes.get(5..5usize.checked_add(len)?)?).ok()
    }

    /// The body of a container of the given tag, and its count.
    fn body(&self, tag: u8) -> Option<(&'a [u8], usize)> {
        if self.tag()? != tag {
            return None;
        }
        let count = u32_at(self.bytes, 1)?;
        let size = u32_at(self.bytes, 5)?;
        Some((self.bytes.get(9..9usize.checked_add(size)?)?, count))
    }

    /// Whether this is an array.
    pub fn is_array(&self) -> bool {
        self.tag() == Some(ARRAY)
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        self.tag() == Some(OBJECT)
    }

    /// The elements of an array; nothing for anything else.
    pub fn elements(&self) -> Elements<'a> {
        let (rest, left) = self.body(ARRAY).unwrap_or((&[], 0));
        Elements { rest, left }
    }

    /// The members of an object, in the order of the JSON text; nothing for anything else.
    pub fn members(&self) -> Members<'a> {
        let (rest, left) = self.body(OBJECT).unwrap_or((&[], 0));
        Members { rest, left }
    }

    /// The number of elements or members; `None` for a scalar.
    pub fn len(&self) -> Option<usize> {
        self.body(ARRAY).or_else(|| self.body(OBJECT)).map(|(_, n)| n)
    }

    /// Whether an array or object is empty (`false` for scalars).
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// An object's member; `None` for anything but an object, as
    /// `serde_json::Value::get` with a string. Should the JSON text repeat a key, the
    /// last one counts, as in `serde_json` (and JavaScript's and Python's parsers).
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        // Keys are compared as bytes: no UTF-8 check for the members skipped.
        let (mut rest, count) = self.body(OBJECT)?;
        let mut found = None;
        for _ in 0..count {
            let len = u32_at(rest, 0)?;
            let end = 4usize.checked_add(len)?;
            let node = Node::new(rest.get(end..)?);
            if rest.get(4..end)? == key.as_bytes() {
                found = Some(node);
            }
            rest = rest.get(end.checked_add(node.size()?)?..)?;
        }
        found
    }

    /// An array's element; `None` for anything but an array.
    pub fn index(&self, i: usize) -> Option<Node<'a>> {
        self.body(ARRAY)?;
        self.elements().nth(i)
    }

    /// One step of a JSON pointer: a member, or an element when the token is an index
    /// (digits, no leading zero), as `serde_json::Value::pointer` reads it.
    fn step(&self, token: &str) -> Option<Node<'a>> {
        match self.tag()? {
            OBJECT => self.get(token),
            ARRAY => {
                if token.is_empty() || (token.len() > 1 && token.starts_with('0')) || !token.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                self.index(token.parse().ok()?)
            }
            _ => None,
        }
    }

    /// The value at a JSON pointer (RFC 6901, as `serde_json::Value::pointer`).
    pub fn pointer(&self, pointer: &str) -> Option<Node<'a>> {
        if pointer.is_empty() {
            return Some(*self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(*self, |node, token| {
            if token.contains('~') { node.step(&token.replace("~1", "/").replace("~0", "~")) } else { node.step(token) }
        })
    }

    /// The value as a `serde_json::Value`, for code that wants the whole document.
    pub fn to_value(&self) -> Value {
        match self.tag() {
            Some(FALSE) => Value::Bool(false),
            Some(TRUE) => Value::Bool(true),
            Some(INT) => self.as_i64().map_or(Value::Null, Value::from),
            Some(UINT) => self.as_u64().map_or(Value::Null, Value::from),
            Some(FLOAT) => self.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number),
            Some(STRING) => self.as_str().map_or(Value::Null, |s| Value::String(s.to_string())),
            Some(ARRAY) => Value::Array(self.elements().map(|e| e.to_value()).collect()),
            Some(OBJECT) => {
                let mut map = serde_json::Map::new();
                for (k, v) in self.members() {
                    // The last of repeated keys wins, as in `get`.
                    map.insert(k.to_string(), v.to_value());
                }
                Value::Object(map)
            }
            _ => Value::Null,
        }
    }
}

/// The elements of an encoded array.
#[derive(Clone)]
pub struct Elements<'a> {
    rest: &'a [u8],
    left: usize,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Node<'a>;
    fn next(&mut self) -> Option<Node<'a>> {
        if self.left == 0 {
            return None;
        }
        let node = Node::new(self.rest);
        let Some(size) = node.size() else {
            self.left = 0;
            return None;
        };
        self.rest = &self.rest[size..];
        self.left -= 1;
        Some(node)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

/// The members of an encoded object.
#[derive(Clone)]
pub struct Members<'a> {
    rest: &'a [u8],
    left: usize,
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, Node<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let member = (|| {
            let len = u32_at(self.rest, 0)?;
            let end = 4usize.checked_add(len)?;
            let key = std::str::from_utf8(self.rest.get(4..end)?).ok()?;
            let node = Node::new(self.rest.get(end..)?);
            Some((key, node, end.checked_add(node.size()?)?))
        })();
        let Some((key, node, size)) = member else {
            self.left = 0;
            return None;
        };
        self.rest = &self.rest[size..];
        self.left -= 1;
        Some((key, node))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn encoded(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        json(&mut out, text).unwrap();
        out
    }

    #[test]
    fn every_json_value_reads_back_as_itself() {
        let docs = [
            json!(null),
            json!(true),
            json!(-7),
            json!(u64::MAX),
            json!(2.5),
            json!("é/~"),
            json!([]),
            json!({}),
            json!({"a": [1, {"b/c": "x", "m~n": [true, null]}], "": 0, "big": 18446744073709551615u64, "f": -0.125}),
        ];
        for doc in docs {
            let from_text = encoded(&doc.to_string());
            let mut from_value = Vec::new();
            value(&mut from_value, &doc);
            assert_eq!(from_text, from_value, "{doc}: the streaming and the Value encoders agree");
            let node = Node::new(&from_text);
            assert_eq!(node.size(), Some(from_text.len()), "{doc}");
            assert_eq!(node.to_value(), doc);
        }
    }

    #[test]
    fn lookups_agree_with_serde_json() {
        let doc = json!({"a": [1, {"b/c": "x", "m~n": [true, null]}], "n": "12", "u": 3, "neg": -3, "f": 1.5, "e": {}});
        let bytes = encoded(&doc.to_string());
        let node = Node::new(&bytes);
        let pointers = [
            "",
            "/a",
            "/a/0",
            "/a/1/b~1c",
            "/a/1/m~0n/0",
            "/a/1/m~0n/1",
            "/a/2",
            "/a/01",
            "/a/-",
            "/n",
            "/u",
            "/neg",
            "/f",
            "/e",
            "/missing",
            "a",
            "/a/1/b~1c/x",
        ];
        for p in pointers {
            let want = doc.pointer(p);
            let got = node.pointer(p);
            assert_eq!(got.map(|n| n.to_value()).as_ref(), want, "pointer {p:?}");
            if let (Some(g), Some(w)) = (got, want) {
                assert_eq!(g.as_str(), w.as_str(), "{p}");
                assert_eq!(g.as_bool(), w.as_bool(), "{p}");
                assert_eq!(g.as_i64(), w.as_i64(), "{p}");
                assert_eq!(g.as_u64(), w.as_u64(), "{p}");
                assert_eq!(g.as_f64(), w.as_f64(), "{p}");
                assert_eq!(g.is_null(), w.is_null(), "{p}");
                assert_eq!(g.is_array(), w.is_array(), "{p}");
                assert_eq!(g.is_object(), w.is_object(), "{p}");
            }
        }
        let a = node.get("a").unwrap();
        assert_eq!(a.len(), Some(2));
        assert!(a.get("0").is_none() && doc["a"].get("0").is_none(), "get reads objects only, as serde_json's");
        assert_eq!(a.index(1).map(|n| n.to_value()), doc["a"].get(1).cloned());
        assert!(node.index(0).is_none());
        assert_eq!(a.elements().count(), 2);
        let text = encoded(r#"{"z": 1, "a": 2, "m": 3}"#);
        let keys: Vec<&str> = Node::new(&text).members().map(|(k, _)| k).collect();
        assert_eq!(keys, ["z", "a", "m"], "members keep the text's order");
        assert!(node.get("e").unwrap().is_empty());
    }

    #[test]
    fn truncated_or_corrupt_bytes_read_as_absent_not_as_a_panic() {
        let bytes = encoded(r#"{"a": [1, 2, {"b": "text"}], "c": true}"#);
        assert!(bytes.len() > 20);
        for cut in 0..bytes.len() {
            let node = Node::new(&bytes[..cut]);
            assert_eq!(node.size(), None, "cut at {cut}: a truncated value has no size");
            let _ = (node.pointer("/a/2/b"), node.to_value(), node.members().count());
        }
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0xff;
            let node = Node::new(&bad);
            let _ = (node.pointer("/a/2/b").and_then(|n| n.as_str()), node.to_value(), node.get("c"));
        }
    }

    #[test]
    fn items_carry_their_identity_and_an_error_for_invalid_json() {
        let item = |id: &str, conf: &str, sup: &str| ConfigItem {
            resource_type: "AWS::S3::Bucket".into(),
            resource_id: id.into(),
            resource_name: (id == "a").then(|| "name-a".into()),
            account_id: "111122223333".into(),
            aws_region: "us-east-1".into(),
            arn: None,
            configuration: conf.into(),
            supplementary_configuration: sup.into(),
            tags: vec![("env".into(), "prod".into())],
        };
        let items = [item("a", r#"{"x":1}"#, ""), item("b", "{not json", r#"{"s":"t"}"#), item("c", "{}", "[1,")];
        let bytes = encode_items(&items);
        let all = Node::new(&bytes);
        assert_eq!(all.size(), Some(bytes.len()));
        let read: Vec<Vec<Node>> = all.elements().map(|i| i.elements().collect()).collect();
        assert_eq!(read.len(), 3);
        assert!(read.iter().all(|fields| fields.len() == ITEM_FIELDS));
        assert_eq!(read[0][1].as_str(), Some("a"));
        assert_eq!(read[0][2].as_str(), Some("name-a"));
        assert!(read[1][2].is_null() && read[0][5].is_null());
        assert_eq!(read[0][6].get("env").and_then(|v| v.as_str()), Some("prod"));
        assert!(read[0][7].is_null());
        assert_eq!(read[0][8].to_value(), json!({"x": 1}));
        assert_eq!(read[0][9].to_value(), json!({}), "an empty supplementary configuration is an empty object");
        assert!(read[1][7].as_str().unwrap().starts_with("configuration is not valid JSON"));
        assert!(read[1][8].is_null());
        assert_eq!(read[1][9].to_value(), json!({"s": "t"}));
        assert!(read[2][7].as_str().unwrap().starts_with("supplementaryConfiguration is not valid JSON"));
        assert_eq!(read[2][9].to_value(), json!({}));
    }

    #[test]
    fn of_repeated_keys_the_last_counts_as_in_serde_json() {
        let text = r#"{"a": 1, "b": {"c": true}, "a": 2}"#;
        let bytes = encoded(text);
        let parsed: Value = serde_json::from_str(text).unwrap();
        assert_eq!(Node::new(&bytes).get("a").and_then(|n| n.as_i64()), parsed["a"].as_i64());
        assert_eq!(Node::new(&bytes).pointer("/a").and_then(|n| n.as_i64()), Some(2));
        assert_eq!(Node::new(&bytes).to_value(), parsed);
    }

    #[test]
    fn trailing_text_is_not_json() {
        let mut out = vec![9];
        assert!(json(&mut out, r#"{"a":1} x"#).is_err());
        assert_eq!(out, [9], "a failed encoding leaves the buffer as it was");
    }
}
