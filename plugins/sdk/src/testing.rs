//! Native testing of checks against fixture files (feature `testing`).
//!
//! A fixture is a snapshot account file (the format `securebase scan --inventory`
//! reads) with one extra key, `expect`: the status each resource must get from the
//! check. Fixtures live in `<plugin>/fixtures/<check_id>/*.json`.
//!
//! [`verify_fixtures`] runs every fixture of every check of a plugin and fails when
//! a result differs from `expect`, when a check lacks a fixture in which it passes, one
//! in which it fails and one in which it does not apply (no resource gets `pass` or
//! `fail`), or when a fixture folder names no check. So a check cannot be added
//! without fixtures, and a fixture cannot outlive its check.

use crate::{Check, Inventory, Plugin, Source, Status};
use securebase_inventory::AccountInventory;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Serves a host-side [`AccountInventory`] to plugin code running natively.
#[derive(Debug, Clone)]
pub struct AccountSource(pub Arc<AccountInventory>);

impl Source for AccountSource {
    fn account_id(&self) -> String {
        self.0.account_id().to_string()
    }

    fn captured_at(&self) -> String {
        self.0.captured_at().to_string()
    }

    /// A copy of the account's shared encoding, as the sandbox's boundary makes one.
    fn encoded_items(&self, resource_type: &str) -> Vec<u8> {
        self.0.encoded_items(resource_type).to_vec()
    }
}

/// An [`Inventory`] over a host-side account, for native runs of plugin code.
pub fn inventory(account: Arc<AccountInventory>) -> Inventory {
    Inventory::new(AccountSource(account))
}

/// One fixture: its inventory and the expected status per resource id.
#[derive(Debug)]
pub struct Fixture {
    /// The file.
    pub path: String,
    /// Its account.
    pub account: Arc<AccountInventory>,
    /// Resource id to expected status.
    pub expect: BTreeMap<String, Status>,
}

/// Reads one fixture file.
pub fn load_fixture(path: &Path) -> Result<Fixture, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{name}: not JSON: {e}"))?;
    let expect = doc
        .get("expect")
        .and_then(|e| e.as_object())
        .ok_or_else(|| format!("{name}: field `expect`: expected an object of resource id to status"))?
        .iter()
        .map(|(id, s)| {
            let status = s.as_str().and_then(Status::parse);
            let status =
                status.ok_or_else(|| format!("{name}: field `expect.{id}`: expected pass, fail, not_applicable or error, found {s}"))?;
            Ok::<_, String>((id.clone(), status))
        })
        .collect::<Result<_, _>>()?;
    let account = securebase_inventory::parse_account(&text, &name).map_err(|e| e.to_string())?;
    Ok(Fixture { path: name, account: Arc::new(account), expect })
}

/// A case every check's fixtures must show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// A resource gets `pass`.
    Pass,
    /// A resource gets `fail`.
    Fail,
    /// The check does not apply: no resource gets `pass` or `fail`.
    NotApplicable,
}

/// The cases no fixture of a check shows, given each fixture's `expect`.
pub fn missing_cases<'a>(expects: impl IntoIterator<Item = &'a BTreeMap<String, Status>>) -> Vec<Case> {
    let (mut pass, mut fail, mut not_applicable) = (false, false, false);
    for expect in expects {
        pass |= expect.values().any(|s| *s == Status::Pass);
        fail |= expect.values().any(|s| *s == Status::Fail);
        not_applicable |= !expect.values().any(|s| matches!(s, Status::Pass | Status::Fail));
    }
    [(pass, Case::Pass), (fail, Case::Fail), (not_applicable, Case::NotApplicable)]
        .into_iter()
        .filter(|(seen, _)| !seen)
        .map(|(_, c)| c)
        .collect()
}

fn run(check: &Check, fixture: &Fixture) -> Result<BTreeMap<String, Status>, String> {
    let mut got = BTreeMap::new();
    for f in check.evaluate(&inventory(fixture.account.clone())) {
        if f.check_id != check.meta.id {
            return Err(format!("{}: finding carries check id `{}`", fixture.path, f.check_id));
        }
        if !check.meta.resource_types.contains(&f.resource_type.as_str()) {
            return Err(format!("{}: finding on undeclared resource type {}", fixture.path, f.resource_type));
        }
        if f.message.trim().is_empty() {
            return Err(format!("{}: finding on {} has no message", fixture.path, f.resource_id));
        }
        if got.insert(f.resource_id.clone(), f.status).is_some() {
            return Err(format!("{}: two findings for resource {}", fixture.path, f.resource_id));
        }
    }
    Ok(got)
}

fn metadata_problems(check: &Check) -> Vec<String> {
    let m = &check.meta;
    let mut p = Vec::new();
    if m.id.is_empty() || !m.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        p.push(format!("check id {:?} is not lower_snake_case", m.id));
    }
    for (what, s) in [("title", m.title), ("rationale", m.rationale), ("remediation", m.remediation)] {
        if s.trim().is_empty() {
            p.push(format!("{}: empty {what}", m.id));
        }
    }
    if m.resource_types.is_empty() {
        p.push(format!("{}: declares no resource types", m.id));
    }
    // A check says whose meaning it follows: an AWS Config managed rule, a Prowler check,
    // or, where neither has one, the AWS documentation page that recommends it.
    let authority = |r: &&crate::Reference| {
        r.kind == "aws-config-rule" || r.kind == "prowler" || (r.kind == "url" && r.value.starts_with("https://docs.aws.amazon.com/"))
    };
    if !m.references.iter().any(|r| authority(&r)) {
        p.push(format!("{}: names neither an AWS Config managed rule, a Prowler check nor an AWS documentation page", m.id));
    }
    p
}

/// Verifies every check of `plugin` against the fixtures under `dir`; panics listing every problem.
pub fn verify_fixtures(plugin: &Plugin, dir: &Path) {
    let mut problems = Vec::new();
    let mut fixtures_run = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() && plugin.check(&name).is_none() {
                problems.push(format!("fixture folder {name} names no check of plugin {}", plugin.name));
            }
        }
    }
    for check in plugin.checks {
        problems.extend(metadata_problems(check));
        let folder = dir.join(check.meta.id);
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect())
            .unwrap_or_default();
        files.sort();
        if files.is_empty() {
            problems.push(format!("{}: no fixtures in {}", check.meta.id, folder.display()));
            continue;
        }
        let mut expects = Vec::new();
        for path in files {
            let fixture = match load_fixture(&path) {
                Ok(f) => f,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            fixtures_run += 1;
            match run(check, &fixture) {
                Ok(got) if got == fixture.expect => {}
                Ok(got) => problems.push(format!("{}: expected {:?}, got {:?}", fixture.path, fixture.expect, got)),
                Err(e) => problems.push(e),
            }
            expects.push(fixture.expect);
        }
        for case in missing_cases(&expects) {
            problems.push(match case {
                Case::Pass => format!("{}: no fixture where a resource gets `pass`", check.meta.id),
                Case::Fail => format!("{}: no fixture where a resource gets `fail`", check.meta.id),
                Case::NotApplicable => {
                    format!("{}: no fixture where the check does not apply (no resource gets pass or fail)", check.meta.id)
                }
            });
        }
    }
    assert!(problems.is_empty(), "{} fixture problem(s) in plugin {}:\n  {}", problems.len(), plugin.name, problems.join("\n  "));
    assert!(fixtures_run > 0, "no fixtures ran");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_cases_names_each_case_no_fixture_shows() {
        let expect = |pairs: &[(&str, Status)]| pairs.iter().map(|(id, s)| (id.to_string(), *s)).collect::<BTreeMap<_, _>>();
        let pass_and_fail = expect(&[("a", Status::Pass), ("b", Status::Fail)]);
        let only_error = expect(&[("c", Status::Error)]);
        assert_eq!(missing_cases([&pass_and_fail]), [Case::NotApplicable]);
        assert_eq!(missing_cases([&pass_and_fail, &only_error]), [], "an account where nothing passes or fails does not apply");
        assert_eq!(missing_cases([&only_error]), [Case::Pass, Case::Fail]);
        assert_eq!(missing_cases(std::iter::empty()), [Case::Pass, Case::Fail, Case::NotApplicable]);
    }

    #[test]
    fn a_check_must_name_whose_meaning_it_follows() {
        fn run(_: &crate::Inventory, _: &mut crate::Findings) {}
        let check = |references: &'static [crate::Reference]| Check {
            meta: crate::CheckMeta {
                id: "x_check",
                title: "t",
                severity: crate::Severity::Low,
                resource_types: &["AWS::SNS::Topic"],
                rationale: "r",
                remediation: "m",
                references,
            },
            run,
        };
        let unsourced = |c: &Check| metadata_problems(c).iter().any(|p| p.contains("names neither"));
        use crate::reference as r;
        const PROWLER: &[crate::Reference] = &[r("prowler", "p")];
        const CONFIG: &[crate::Reference] = &[r("aws-config-rule", "R")];
        const DOCS: &[crate::Reference] = &[r("url", "https://docs.aws.amazon.com/sns/latest/dg/x.html")];
        const BLOG: &[crate::Reference] = &[r("url", "https://example.com/blog")];
        const CIS_ONLY: &[crate::Reference] = &[r("cis", "2.1.1")];
        assert!(!unsourced(&check(PROWLER)) && !unsourced(&check(CONFIG)) && !unsourced(&check(DOCS)));
        assert!(unsourced(&check(BLOG)), "any page is not an authority");
        assert!(unsourced(&check(CIS_ONLY)), "CIS alone is not whose meaning the check follows");
        assert!(unsourced(&check(&[])));
    }
}
