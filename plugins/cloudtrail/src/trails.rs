//! What the CloudTrail checks share: reading trails and their event selectors.

use securebase_plugin_sdk::Item;
use serde_json::Value;

pub const TRAIL: &str = "AWS::CloudTrail::Trail";

/// The trail's display name.
pub fn name(t: &Item) -> &str {
    t.config_str("/TrailName").unwrap_or_else(|| t.name())
}

/// Whether the trail is delivering events right now.
pub fn logging(t: &Item) -> bool {
    t.config_bool("/IsLogging") == Some(true)
}

/// Whether the trail records S3 object-level events of this kind (`write` or read)
/// for all buckets, through classic or advanced event selectors.
pub fn records_s3_data_events(t: &Item, write: bool) -> bool {
    let wanted = if write { "WriteOnly" } else { "ReadOnly" };
    let classic = t.config("/EventSelectors").and_then(Value::as_array).into_iter().flatten().any(|sel| {
        let rw = sel.get("ReadWriteType").and_then(Value::as_str).unwrap_or("All");
        (rw == "All" || rw == wanted)
            && sel.get("DataResources").and_then(Value::as_array).into_iter().flatten().any(|r| {
                r.get("Type").and_then(Value::as_str) == Some("AWS::S3::Object")
                    && r.get("Values")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .any(|v| matches!(v.as_str(), Some("arn:aws:s3") | Some("arn:aws:s3:::") | Some("arn:aws-us-gov:s3:::")))
            })
    });
    let advanced = t.config("/AdvancedEventSelectors").and_then(Value::as_array).into_iter().flatten().any(|sel| {
        let fields: Vec<&Value> = sel.get("FieldSelectors").and_then(Value::as_array).into_iter().flatten().collect();
        let equals = |field: &str, value: &str| {
            fields.iter().any(|f| {
                f.get("Field").and_then(Value::as_str) == Some(field)
                    && f.get("Equals").and_then(Value::as_array).is_some_and(|e| e.iter().any(|x| x.as_str() == Some(value)))
            })
        };
        let has = |field: &str| fields.iter().any(|f| f.get("Field").and_then(Value::as_str) == Some(field));
        // Any narrowing to particular buckets means not "all buckets".
        let narrowed = has("resources.ARN");
        let read_only_ok = !has("readOnly") || equals("readOnly", if write { "false" } else { "true" });
        equals("eventCategory", "Data") && equals("resources.type", "AWS::S3::Object") && !narrowed && read_only_ok
    });
    classic || advanced
}

/// The trail's S3 bucket, when it is in this account's inventory.
pub fn bucket<'a>(inv_buckets: &'a [Item], t: &Item) -> Option<&'a Item> {
    let name = t.config_str("/S3BucketName")?;
    inv_buckets.iter().find(|b| b.resource_id == name || b.resource_name.as_deref() == Some(name))
}
