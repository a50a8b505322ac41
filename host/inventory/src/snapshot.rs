//! Snapshot files: one JSON document per account, in a directory.
//!
//! The reader is strict about what it needs and says exactly where a file is wrong
//! (`configurationItems[3].awsRegion: expected a string`); it ignores fields it does
//! not know, so snapshots written by later versions, or fixture files with extra
//! keys, still load.

use crate::{AccountInventory, ConfigItem, InventoryError, SNAPSHOT_SCHEMA, Snapshot};
use serde_json::{Map, Value};
use std::path::Path;

/// Loads every `*.json` file in `dir` as one account.
pub fn load_dir(dir: &Path) -> Result<Snapshot, InventoryError> {
    let io = |source| InventoryError::Io { path: dir.to_path_buf(), source };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)?
        .into_iter()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(InventoryError::Empty { dir: dir.to_path_buf() });
    }
    let mut accounts = Vec::with_capacity(files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| InventoryError::Io { path: path.clone(), source })?;
        let origin = path.display().to_string();
        let account = parse_account(&text, &origin)?;
        accounts.push((origin, account));
    }
    assemble(dir.display().to_string(), accounts)
}

/// A snapshot of account documents uploaded together (each named `accounts[i]` in errors).
pub fn from_documents(docs: &[Value], source: &str) -> Result<Snapshot, InventoryError> {
    let accounts = docs
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let origin = format!("accounts[{i}]");
            parse_account(&doc.to_string(), &origin).map(|a| (origin, a))
        })
        .collect::<Result<Vec<_>, _>>()?;
    assemble(source.to_string(), accounts)
}

/// Parsed accounts (with where each came from) as a snapshot: one document per account,
/// sorted by account id.
fn assemble(source: String, parsed: Vec<(String, AccountInventory)>) -> Result<Snapshot, InventoryError> {
    let mut accounts: Vec<(String, AccountInventory)> = Vec::with_capacity(parsed.len());
    for (origin, account) in parsed {
        if let Some((first, _)) = accounts.iter().find(|(_, a)| a.account_id() == account.account_id()) {
            return Err(InventoryError::DuplicateAccount {
                account: account.account_id().to_string(),
                first: first.clone(),
                second: origin,
            });
        }
        accounts.push((origin, account));
    }
    let mut accounts: Vec<_> = accounts.into_iter().map(|(_, a)| a).collect();
    accounts.sort_by(|a, b| a.account_id().cmp(b.account_id()));
    Ok(Snapshot { source, accounts })
}

/// Parses one account file. `origin` (usually the path) prefixes every error.
pub fn parse_account(text: &str, origin: &str) -> Result<AccountInventory, InventoryError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| InventoryError::Json {
        origin: origin.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let top = doc.as_object().ok_or_else(|| InventoryError::field(origin, "(document)", "an object", describe(&doc)))?;
    if let Some(schema) = top.get("schema")
        && schema.as_str() != Some(SNAPSHOT_SCHEMA)
    {
        return Err(InventoryError::field(origin, "schema", format!("\"{SNAPSHOT_SCHEMA}\""), schema));
    }
    let account_id = required_str(top, origin, "", "accountId")?;
    let account_name = optional_str(top, origin, "", "accountName")?;
    let captured_at = required_str(top, origin, "", "capturedAt")?;
    let items = match top.get("configurationItems") {
        Some(Value::Array(list)) => list,
        Some(other) => return Err(InventoryError::field(origin, "configurationItems", "a list", describe(other))),
        None => return Err(InventoryError::field(origin, "configurationItems", "a list of configuration items", "nothing")),
    };
    let items = items
        .iter()
        .enumerate()
        .map(|(i, v)| parse_item(v, origin, &format!("configurationItems[{i}]"), &account_id))
        .collect::<Result<Vec<_>, _>>()?;
    AccountInventory::new(origin, account_id, account_name, captured_at, items)
}

fn parse_item(v: &Value, origin: &str, at: &str, file_account: &str) -> Result<ConfigItem, InventoryError> {
    let obj = v.as_object().ok_or_else(|| InventoryError::field(origin, at, "an object", describe(v)))?;
    let resource_type = required_str(obj, origin, at, "resourceType")?;
    if !resource_type.contains("::") {
        return Err(InventoryError::field(origin, format!("{at}.resourceType"), "a type such as AWS::S3::Bucket", &resource_type));
    }
    let account_id = optional_str(obj, origin, at, "accountId")?.unwrap_or_else(|| file_account.to_string());
    let configuration = match obj.get("configuration") {
        None | Some(Value::Null) => "{}".to_string(),
        Some(Value::String(text)) => {
            let parsed: Value = serde_json::from_str(text).map_err(|e| {
                InventoryError::field(
                    origin,
                    format!("{at}.configuration"),
                    "a JSON object or JSON text",
                    format!("invalid JSON text ({e})"),
                )
            })?;
            parsed.to_string()
        }
        Some(other @ Value::Object(_)) => other.to_string(),
        Some(other) => return Err(InventoryError::field(origin, format!("{at}.configuration"), "an object", describe(other))),
    };
    let supplementary_configuration = match obj.get("supplementaryConfiguration") {
        None | Some(Value::Null) => "{}".to_string(),
        Some(Value::Object(map)) => {
            // AWS Config's API returns each supplementary value as JSON text; snapshots
            // delivered to S3 carry objects. Normalize to objects.
            let mut out = Map::new();
            for (k, v) in map {
                let v = match v {
                    Value::String(text) if text.trim_start().starts_with(['{', '[']) => serde_json::from_str(text).map_err(|e| {
                        InventoryError::field(
                            origin,
                            format!("{at}.supplementaryConfiguration.{k}"),
                            "JSON",
                            format!("invalid JSON text ({e})"),
                        )
                    })?,
                    other => other.clone(),
                };
                out.insert(k.clone(), v);
            }
            Value::Object(out).to_string()
        }
        Some(other) => {
            return Err(InventoryError::field(origin, format!("{at}.supplementaryConfiguration"), "an object", describe(other)));
        }
    };
    Ok(ConfigItem {
        resource_id: required_str(obj, origin, at, "resourceId")?,
        resource_name: optional_str(obj, origin, at, "resourceName")?,
        aws_region: required_str(obj, origin, at, "awsRegion")?,
        arn: optional_str(obj, origin, at, "arn")?,
        tags: tags(obj.get("tags"), origin, at)?,
        resource_type,
        account_id,
        configuration,
        supplementary_configuration,
    })
}

fn tags(v: Option<&Value>, origin: &str, at: &str) -> Result<Vec<(String, String)>, InventoryError> {
    let mut out = Vec::new();
    match v {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (k, v) in map {
                let v = v.as_str().ok_or_else(|| InventoryError::field(origin, format!("{at}.tags.{k}"), "a string", describe(v)))?;
                out.push((k.clone(), v.to_string()));
            }
        }
        Some(Value::Array(list)) => {
            for (i, t) in list.iter().enumerate() {
                let pair = t.as_object().and_then(|o| Some((o.get("key")?.as_str()?, o.get("value")?.as_str()?)));
                let (k, v) = pair.ok_or_else(|| {
                    InventoryError::field(origin, format!("{at}.tags[{i}]"), "{\"key\": string, \"value\": string}", describe(t))
                })?;
                out.push((k.to_string(), v.to_string()));
            }
        }
        Some(other) => return Err(InventoryError::field(origin, format!("{at}.tags"), "an object of strings", describe(other))),
    }
    out.sort();
    Ok(out)
}

fn required_str(obj: &Map<String, Value>, origin: &str, at: &str, key: &str) -> Result<String, InventoryError> {
    optional_str(obj, origin, at, key)?.ok_or_else(|| InventoryError::field(origin, join(at, key), "a string", "nothing"))
}

fn optional_str(obj: &Map<String, Value>, origin: &str, at: &str, key: &str) -> Result<Option<String>, InventoryError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(other) => Err(InventoryError::field(origin, join(at, key), "a non-empty string", describe(other))),
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() { key.to_string() } else { format!("{at}.{key}") }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.is_empty() => "an empty string".into(),
        Value::String(s) => format!("string \"{s}\""),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Writes an account back as a snapshot file (configuration as objects, pretty-printed).
pub fn to_json(account: &AccountInventory) -> String {
    serde_json::to_string_pretty(&to_value(account)).expect("a JSON value always serializes")
}

/// An account as a snapshot document: what [`from_documents`] reads back into the same
/// inventory, so a scan can keep what it evaluated and be replayed from it.
pub fn to_value(account: &AccountInventory) -> Value {
    let items: Vec<Value> = account
        .iter()
        .map(|i| {
            let mut o = Map::new();
            o.insert("resourceType".into(), i.resource_type.clone().into());
            o.insert("resourceId".into(), i.resource_id.clone().into());
            if let Some(n) = &i.resource_name {
                o.insert("resourceName".into(), n.clone().into());
            }
            o.insert("accountId".into(), i.account_id.clone().into());
            o.insert("awsRegion".into(), i.aws_region.clone().into());
            if let Some(a) = &i.arn {
                o.insert("arn".into(), a.clone().into());
            }
            o.insert("configuration".into(), serde_json::from_str(&i.configuration).unwrap_or(Value::Null));
            o.insert("supplementaryConfiguration".into(), serde_json::from_str(&i.supplementary_configuration).unwrap_or(Value::Null));
            let tags: Map<String, Value> = i.tags.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
            o.insert("tags".into(), Value::Object(tags));
            Value::Object(o)
        })
        .collect();
    let mut doc = Map::new();
    doc.insert("schema".into(), SNAPSHOT_SCHEMA.into());
    doc.insert("accountId".into(), account.account_id().into());
    if let Some(n) = account.account_name() {
        doc.insert("accountName".into(), n.into());
    }
    doc.insert("capturedAt".into(), account.captured_at().into());
    doc.insert("configurationItems".into(), Value::Array(items));
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
      "schema": "securebase.inventory/v1",
      "accountId": "111111111111",
      "capturedAt": "2026-11-01T00:00:00Z",
      "configurationItems": [
        {"resourceType": "AWS::S3::Bucket", "resourceId": "logs", "awsRegion": "us-east-1",
         "configuration": "{\"name\": \"logs\"}",
         "supplementaryConfiguration": {"BucketVersioningConfiguration": "{\"status\":\"Enabled\"}"},
         "tags": [{"key": "env", "value": "prod"}]}
      ]
    }"#;

    #[test]
    fn normalizes_json_text_to_objects() {
        let a = parse_account(GOOD, "good.json").unwrap();
        let b = &a.items("AWS::S3::Bucket")[0];
        assert_eq!(b.configuration, r#"{"name":"logs"}"#);
        assert_eq!(b.supplementary_configuration, r#"{"BucketVersioningConfiguration":{"status":"Enabled"}}"#);
        assert_eq!(b.tags, vec![("env".to_string(), "prod".to_string())]);
        assert_eq!(b.account_id, "111111111111");
    }

    #[test]
    fn round_trips_through_to_json() {
        let a = parse_account(GOOD, "good.json").unwrap();
        let again = parse_account(&to_json(&a), "again.json").unwrap();
        assert_eq!(a, again);
    }

    #[test]
    fn errors_name_file_field_and_expectation() {
        let cases = [
            (GOOD.replace("\"awsRegion\": \"us-east-1\",", ""), "`configurationItems[0].awsRegion`: expected a string, found nothing"),
            (GOOD.replace("\"us-east-1\"", "7"), "`configurationItems[0].awsRegion`: expected a non-empty string, found number 7"),
            (GOOD.replace("\"111111111111\"", "\"abc\""), "`accountId`: expected a 12-digit AWS account id, found abc"),
            (GOOD.replace("AWS::S3::Bucket", "bucket"), "`configurationItems[0].resourceType`: expected a type such as AWS::S3::Bucket"),
            (GOOD.replace("inventory/v1", "inventory/v9"), "`schema`"),
            (GOOD.replace("{\\\"name\\\": \\\"logs\\\"}", "{oops"), "configurationItems[0].configuration"),
            ("[1]".to_string(), "expected an object, found a list"),
            ("{".to_string(), "not valid JSON at line 1"),
        ];
        for (text, want) in cases {
            let err = parse_account(&text, "acct.json").unwrap_err().to_string();
            assert!(err.starts_with("acct.json: "), "{err}");
            assert!(err.contains(want), "wanted {want:?} in {err:?}");
        }
    }

    #[test]
    fn loads_a_directory_and_refuses_duplicate_accounts() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), GOOD).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        let snap = load_dir(dir.path()).unwrap();
        assert_eq!(snap.accounts.len(), 1);
        std::fs::write(dir.path().join("b.json"), GOOD).unwrap();
        let err = load_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("appears in both"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        assert!(load_dir(empty.path()).unwrap_err().to_string().contains("no account files"));
        assert!(load_dir(&empty.path().join("missing")).is_err());
    }

    #[test]
    fn uploaded_documents_are_sorted_and_named_by_index() {
        let other: Value = serde_json::from_str(&GOOD.replace("111111111111", "000000000002")).unwrap();
        let good: Value = serde_json::from_str(GOOD).unwrap();
        let snap = from_documents(&[good.clone(), other], "upload").unwrap();
        assert_eq!(snap.accounts.iter().map(|a| a.account_id()).collect::<Vec<_>>(), ["000000000002", "111111111111"]);
        let err = from_documents(&[good.clone(), good], "upload").unwrap_err().to_string();
        assert_eq!(err, "account 111111111111 appears in both accounts[0] and accounts[1]");
        let bad: Value = serde_json::from_str(&GOOD.replace("\"111111111111\"", "\"abc\"")).unwrap();
        assert!(from_documents(&[bad], "upload").unwrap_err().to_string().starts_with("accounts[0]: "));
    }
}
