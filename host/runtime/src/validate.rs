//! The host never trusts plugin output: every string is bounded, every finding must
//! name a check the plugin declared, a resource type that check declared, and a
//! resource that exists in the inventory of the account being evaluated. (Status and
//! severity are WIT enums: an out-of-range value cannot be lifted, so the call traps
//! and is reported as a `trap` before it gets here.) One bad
//! finding rejects the whole evaluation, because a plugin that reports on resources it
//! was not given cannot be trusted about the ones it was.

use crate::model::{CheckInfo, ErrorKind, Finding, PluginError, PluginInfo, Reference, Severity, Status};
use crate::sandbox::securebase::control::types;
use crate::{Limits, sandbox::truncate};
use securebase_inventory::AccountInventory;
use std::collections::HashSet;

fn too_long(what: &str, s: &str, limits: &Limits) -> Option<String> {
    (s.len() > limits.max_string_bytes).then(|| format!("{what} is {} bytes; the limit is {}", s.len(), limits.max_string_bytes))
}

/// A check id: lower-case letters, digits and underscores, starting with a letter.
pub fn is_check_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Bounds of what metadata may hold besides the texts `max_string_bytes` bounds: every
/// string and list is bounded, since each is copied into every scan document.
pub(crate) const MAX_VERSION_BYTES: usize = 64;
pub(crate) const MAX_RESOURCE_TYPES: usize = 64;
pub(crate) const MAX_RESOURCE_TYPE_BYTES: usize = 256;
pub(crate) const MAX_REFERENCES: usize = 64;
pub(crate) const MAX_REFERENCE_KIND_BYTES: usize = 64;
pub(crate) const MAX_REFERENCE_VALUE_BYTES: usize = 2048;

pub(crate) fn metadata(m: types::PluginMetadata, sha256: String, limits: &Limits) -> Result<PluginInfo, String> {
    let name_ok = !m.name.is_empty() && m.name.len() <= 64 && m.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !name_ok {
        return Err(format!("plugin name {:?} must be 1-64 characters of letters, digits, '-' or '_'", truncate(&m.name, 64)));
    }
    if m.version.is_empty() || m.version.len() > MAX_VERSION_BYTES || m.version.chars().any(char::is_control) {
        return Err(format!(
            "version {:?} must be 1-{MAX_VERSION_BYTES} bytes without control characters (it is {} bytes)",
            truncate(&m.version, 32),
            m.version.len()
        ));
    }
    if m.checks.is_empty() {
        return Err("declares no checks".into());
    }
    if m.checks.len() > 10_000 {
        return Err(format!("declares {} checks; the limit is 10000", m.checks.len()));
    }
    let mut seen = HashSet::new();
    let mut checks = Vec::with_capacity(m.checks.len());
    for c in m.checks {
        if !is_check_id(&c.id) {
            return Err(format!("check id {:?} must be lower_snake_case (letters, digits, '_')", truncate(&c.id, 64)));
        }
        if !seen.insert(c.id.clone()) {
            return Err(format!("check `{}` is declared twice", c.id));
        }
        for (what, s) in [("title", &c.title), ("rationale", &c.rationale), ("remediation", &c.remediation)] {
            if s.trim().is_empty() {
                return Err(format!("check `{}` has an empty {what}", c.id));
            }
            if let Some(e) = too_long(&format!("check `{}` {what}", c.id), s, limits) {
                return Err(e);
            }
        }
        if c.resource_types.is_empty() || c.resource_types.iter().any(|t| !t.contains("::")) {
            return Err(format!("check `{}` must declare resource types such as AWS::S3::Bucket", c.id));
        }
        if c.resource_types.len() > MAX_RESOURCE_TYPES {
            return Err(format!("check `{}` declares {} resource types; the limit is {MAX_RESOURCE_TYPES}", c.id, c.resource_types.len()));
        }
        if let Some(t) = c.resource_types.iter().find(|t| t.len() > MAX_RESOURCE_TYPE_BYTES || t.chars().any(char::is_control)) {
            return Err(format!(
                "check `{}` resource type {:?} must be at most {MAX_RESOURCE_TYPE_BYTES} bytes without control characters",
                c.id,
                truncate(t, 32)
            ));
        }
        if c.references.len() > MAX_REFERENCES {
            return Err(format!("check `{}` has {} references; the limit is {MAX_REFERENCES}", c.id, c.references.len()));
        }
        if let Some(r) = c.references.iter().find(|r| r.kind.len() > MAX_REFERENCE_KIND_BYTES || r.value.len() > MAX_REFERENCE_VALUE_BYTES)
        {
            return Err(format!(
                "check `{}` reference {:?} is too long: kind at most {MAX_REFERENCE_KIND_BYTES} bytes, value at most {MAX_REFERENCE_VALUE_BYTES}",
                c.id,
                truncate(&r.kind, 32)
            ));
        }
        checks.push(CheckInfo {
            severity: match c.severity {
                types::Severity::Info => Severity::Info,
                types::Severity::Low => Severity::Low,
                types::Severity::Medium => Severity::Medium,
                types::Severity::High => Severity::High,
                types::Severity::Critical => Severity::Critical,
            },
            references: c.references.into_iter().map(|r| Reference { kind: r.kind, value: r.value }).collect(),
            id: c.id,
            title: c.title,
            resource_types: c.resource_types,
            rationale: c.rationale,
            remediation: c.remediation,
        });
    }
    Ok(PluginInfo { name: m.name, version: m.version, sha256, checks })
}

pub(crate) fn findings(
    plugin: &PluginInfo,
    account: &AccountInventory,
    raw: Vec<types::Finding>,
    limits: &Limits,
) -> Result<Vec<Finding>, PluginError> {
    if raw.len() > limits.max_findings {
        return Err(PluginError::new(
            ErrorKind::OutputLimit,
            format!("returned {} findings; the limit is {} per account", raw.len(), limits.max_findings),
        ));
    }
    let invalid = |i: usize, why: String| PluginError::new(ErrorKind::InvalidOutput, format!("finding #{i}: {why}"));
    let mut out = Vec::with_capacity(raw.len());
    // One verdict per (check, resource): a plugin that says PASS and FAIL about the
    // same bucket cannot be believed about either.
    let mut judged: HashSet<(&str, &str, &str)> = HashSet::with_capacity(raw.len());
    for (i, f) in raw.into_iter().enumerate() {
        for (what, s) in
            [("check id", &f.check_id), ("resource type", &f.resource_type), ("resource id", &f.resource_id), ("message", &f.message)]
        {
            if let Some(e) = too_long(what, s, limits) {
                return Err(PluginError::new(ErrorKind::OutputLimit, format!("finding #{i}: {e}")));
            }
        }
        let Some(check) = plugin.check(&f.check_id) else {
            return Err(invalid(i, format!("names check `{}`, which plugin `{}` did not declare", f.check_id, plugin.name)));
        };
        if !check.resource_types.contains(&f.resource_type) {
            return Err(invalid(i, format!("check `{}` reports on {}, which it did not declare", check.id, f.resource_type)));
        }
        let Some(item) = account.get(&f.resource_type, &f.resource_id) else {
            return Err(invalid(
                i,
                format!("names {} `{}`, which is not in the inventory of account {}", f.resource_type, f.resource_id, account.account_id()),
            ));
        };
        if !judged.insert((check.id.as_str(), item.resource_type.as_str(), item.resource_id.as_str())) {
            return Err(invalid(
                i,
                format!("check `{}` judges {} `{}` a second time; one verdict per resource", check.id, f.resource_type, f.resource_id),
            ));
        }
        out.push(Finding {
            check_id: f.check_id,
            resource_type: f.resource_type,
            region: item.aws_region.clone(),
            resource_id: f.resource_id,
            status: match f.status {
                types::Status::Pass => Status::Pass,
                types::Status::Fail => Status::Fail,
                types::Status::NotApplicable => Status::NotApplicable,
                types::Status::Error => Status::Error,
            },
            message: f.message,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use securebase_inventory::ConfigItem;

    fn plugin() -> PluginInfo {
        PluginInfo {
            name: "p".into(),
            version: "1".into(),
            sha256: String::new(),
            checks: vec![CheckInfo {
                id: "c".into(),
                title: "t".into(),
                severity: Severity::High,
                resource_types: vec!["AWS::S3::Bucket".into()],
                rationale: "r".into(),
                remediation: "m".into(),
                references: vec![],
            }],
        }
    }

    fn account(id: &str) -> AccountInventory {
        let item = ConfigItem {
            resource_type: "AWS::S3::Bucket".into(),
            resource_id: "b".into(),
            resource_name: None,
            account_id: id.into(),
            aws_region: "eu-west-1".into(),
            arn: None,
            configuration: "{}".into(),
            supplementary_configuration: "{}".into(),
            tags: vec![],
        };
        AccountInventory::new("t", id, None, "2026-11-01T00:00:00Z", vec![item]).unwrap()
    }

    fn finding(check: &str, rt: &str, id: &str, message: &str) -> types::Finding {
        types::Finding {
            check_id: check.into(),
            resource_type: rt.into(),
            resource_id: id.into(),
            status: types::Status::Fail,
            message: message.into(),
        }
    }

    #[test]
    fn accepts_valid_findings_and_takes_region_from_inventory() {
        let out =
            findings(&plugin(), &account("111111111111"), vec![finding("c", "AWS::S3::Bucket", "b", "m")], &Limits::default()).unwrap();
        assert_eq!(out[0].region, "eu-west-1");
        assert_eq!(out[0].status, Status::Fail);
    }

    #[test]
    fn rejects_what_a_plugin_should_not_say() {
        let l = Limits { max_findings: 2, max_string_bytes: 100, ..Limits::default() };
        let acct = account("111111111111");
        let cases = [
            (vec![finding("nope", "AWS::S3::Bucket", "b", "")], ErrorKind::InvalidOutput, "did not declare"),
            (vec![finding("c", "AWS::EC2::Volume", "b", "")], ErrorKind::InvalidOutput, "did not declare"),
            (vec![finding("c", "AWS::S3::Bucket", "other", "")], ErrorKind::InvalidOutput, "not in the inventory of account 111111111111"),
            (vec![finding("c", "AWS::S3::Bucket", "b", &"x".repeat(101))], ErrorKind::OutputLimit, "message is 101 bytes"),
            (vec![finding("c", "AWS::S3::Bucket", "b", ""); 3], ErrorKind::OutputLimit, "returned 3 findings"),
            (
                vec![
                    finding("c", "AWS::S3::Bucket", "b", ""),
                    types::Finding { status: types::Status::Pass, ..finding("c", "AWS::S3::Bucket", "b", "") },
                ],
                ErrorKind::InvalidOutput,
                "finding #1: check `c` judges AWS::S3::Bucket `b` a second time",
            ),
        ];
        for (raw, kind, text) in cases {
            let e = findings(&plugin(), &acct, raw, &l).unwrap_err();
            assert_eq!(e.kind, kind, "{e}");
            assert!(e.message.contains(text), "{e}");
        }
    }

    fn metadata_of(version: &str, check: types::CheckMetadata) -> types::PluginMetadata {
        types::PluginMetadata { name: "p".into(), version: version.into(), checks: vec![check] }
    }

    fn check_meta() -> types::CheckMetadata {
        types::CheckMetadata {
            id: "c".into(),
            title: "t".into(),
            severity: types::Severity::Low,
            resource_types: vec!["AWS::S3::Bucket".into()],
            rationale: "r".into(),
            remediation: "m".into(),
            references: vec![],
        }
    }

    #[test]
    fn every_metadata_string_and_list_is_bounded() {
        let l = Limits::default();
        assert!(metadata(metadata_of("1.0.0", check_meta()), String::new(), &l).is_ok());
        let reference = |kind: &str, value: &str| types::Reference { kind: kind.into(), value: value.into() };
        let cases: Vec<(types::PluginMetadata, &str)> = vec![
            (metadata_of(&"9".repeat(64 << 20), check_meta()), "version"),
            (metadata_of("", check_meta()), "version"),
            (metadata_of("1.0\u{1b}[2J", check_meta()), "version"),
            (
                metadata_of("1", types::CheckMetadata { resource_types: vec!["AWS::S3::Bucket".into(); 65], ..check_meta() }),
                "65 resource types",
            ),
            (
                metadata_of("1", types::CheckMetadata { resource_types: vec![format!("AWS::{}", "x".repeat(300))], ..check_meta() }),
                "resource type",
            ),
            (metadata_of("1", types::CheckMetadata { references: vec![reference("cis", "1.1"); 65], ..check_meta() }), "65 references"),
            (metadata_of("1", types::CheckMetadata { references: vec![reference("cis", &"x".repeat(4096))], ..check_meta() }), "too long"),
            (metadata_of("1", types::CheckMetadata { references: vec![reference(&"k".repeat(100), "1")], ..check_meta() }), "too long"),
        ];
        assert_eq!(cases.len(), 8);
        for (m, text) in cases {
            let e = metadata(m, String::new(), &l).unwrap_err();
            assert!(e.contains(text), "{e}");
            assert!(e.len() < 400, "the refusal does not echo the oversized value: {} bytes", e.len());
        }
    }

    #[test]
    fn check_ids() {
        assert!(is_check_id("s3_bucket_default_encryption"));
        for bad in ["", "S3", "1abc", "a-b", "a b"] {
            assert!(!is_check_id(bad), "{bad}");
        }
    }
}
