//! `plugin replay`: a plugin re-run on the inventory a scan evaluated, its findings set
//! against the ones the scan recorded, so a finding an auditor questions is either
//! reproduced or shown to differ (and how).

use securebase_runtime::{Evaluation, PluginInfo};
use securebase_scan::ScanReport;
use std::collections::{BTreeMap, HashSet};

/// What became of one (check, resource) on replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The same status and message as the scan recorded.
    Same,
    /// Another status or message.
    Changed,
    /// Found on replay, not in the scan.
    New,
    /// In the scan, not found on replay.
    Gone,
}

impl Verdict {
    /// Its name in text and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Same => "same",
            Verdict::Changed => "changed",
            Verdict::New => "new",
            Verdict::Gone => "gone",
        }
    }
}

/// A status and message, as recorded or as replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// `pass`, `fail`, `not_applicable` or `error`.
    pub status: String,
    /// The plugin's message.
    pub message: String,
}

/// One (check, resource) of one account, compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compared {
    /// The check.
    pub check_id: String,
    /// The resource's type.
    pub resource_type: String,
    /// The resource.
    pub resource_id: String,
    /// Its region.
    pub region: String,
    /// What the scan recorded.
    pub recorded: Option<Outcome>,
    /// What the replay found.
    pub replayed: Option<Outcome>,
}

impl Compared {
    /// Same, changed, new or gone.
    pub fn verdict(&self) -> Verdict {
        match (&self.recorded, &self.replayed) {
            (Some(a), Some(b)) if a == b => Verdict::Same,
            (Some(_), Some(_)) => Verdict::Changed,
            (None, _) => Verdict::New,
            (Some(_), None) => Verdict::Gone,
        }
    }
}

/// Which findings to compare: all of the plugin's, or one check's, or one resource's.
#[derive(Debug, Clone, Default)]
pub struct Focus {
    /// Only this check.
    pub check: Option<String>,
    /// Only this resource id.
    pub resource: Option<String>,
}

impl Focus {
    fn wants(&self, check: &str, resource: &str) -> bool {
        self.check.as_deref().is_none_or(|c| c == check) && self.resource.as_deref().is_none_or(|r| r == resource)
    }
}

/// How the replayed component relates to the plugins the scan ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The very component (same SHA-256): findings must be the same.
    SameComponent,
    /// Another build of a plugin the scan ran: differences may be the change.
    OtherVersion {
        /// The version the scan ran.
        version: String,
        /// Its SHA-256.
        sha256: String,
    },
    /// The scan ran no plugin of this name.
    NotInScan,
}

/// What the scan knows of this plugin.
pub fn identity(report: &ScanReport, plugin: &PluginInfo) -> Identity {
    if report.plugins.iter().any(|p| p.sha256 == plugin.sha256) {
        return Identity::SameComponent;
    }
    match report.plugins.iter().find(|p| p.name == plugin.name) {
        Some(p) => Identity::OtherVersion { version: p.version.clone(), sha256: p.sha256.clone() },
        None => Identity::NotInScan,
    }
}

/// One account's evaluation set against the scan's findings of the plugin's checks
/// (sorted by check, resource type, resource id). An account the scan did not have is
/// compared with nothing (all new); a failed evaluation finds nothing (all gone).
pub fn compare(report: &ScanReport, plugin: &PluginInfo, evaluation: &Evaluation, focus: &Focus) -> Vec<Compared> {
    let checks: HashSet<&str> = plugin.checks.iter().map(|c| c.id.as_str()).collect();
    let mut all: BTreeMap<(String, String, String, String), Compared> = BTreeMap::new();
    let mut entry = |check: &str, rtype: &str, id: &str, region: &str, recorded: Option<Outcome>, replayed: Option<Outcome>| {
        let c = all.entry((check.into(), rtype.into(), id.into(), region.into())).or_insert_with(|| Compared {
            check_id: check.into(),
            resource_type: rtype.into(),
            resource_id: id.into(),
            region: region.into(),
            recorded: None,
            replayed: None,
        });
        c.recorded = c.recorded.take().or(recorded);
        c.replayed = c.replayed.take().or(replayed);
    };
    let recorded = report.accounts.iter().filter(|a| a.account_id == evaluation.account_id).flat_map(|a| &a.findings);
    for f in recorded.filter(|f| checks.contains(f.check_id.as_str()) && focus.wants(&f.check_id, &f.resource_id)) {
        let was = Outcome { status: f.status.clone(), message: f.message.clone() };
        entry(&f.check_id, &f.resource_type, &f.resource_id, &f.region, Some(was), None);
    }
    for f in evaluation.result.as_deref().unwrap_or_default().iter().filter(|f| focus.wants(&f.check_id, &f.resource_id)) {
        let now = Outcome { status: f.status.as_str().into(), message: f.message.clone() };
        entry(&f.check_id, &f.resource_type, &f.resource_id, &f.region, None, Some(now));
    }
    all.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use securebase_runtime::{CheckInfo, Finding, Severity, Status};
    use std::time::Duration;

    fn plugin() -> PluginInfo {
        let check = |id: &str| CheckInfo {
            id: id.into(),
            title: id.into(),
            severity: Severity::High,
            resource_types: vec!["AWS::S3::Bucket".into()],
            rationale: String::new(),
            remediation: String::new(),
            references: vec![],
        };
        PluginInfo { name: "s3".into(), version: "1.0.0".into(), sha256: "aa".repeat(32), checks: vec![check("a"), check("b")] }
    }

    fn report(findings: serde_json::Value) -> ScanReport {
        serde_json::from_value(serde_json::json!({
            "schema": securebase_scan::SCAN_SCHEMA,
            "engine": {"name": "securebase", "version": "0", "allocator": "on-demand"},
            "source": "demo", "started_at": "2026-12-03T00:00:00Z", "duration_ms": 0,
            "plugins": [{"name": "s3", "version": "0.9.0", "sha256": "bb".repeat(32), "checks": ["a", "b"]}],
            "frameworks": [], "plugin_errors": [],
            "organization": {"accounts": 1, "resources": 3, "frameworks": []},
            "accounts": [{"account_id": "111111111111", "account_name": null, "captured_at": "2026-12-01T00:00:00Z",
                          "resources": 3, "frameworks": [], "evaluations": [], "findings": findings}],
        }))
        .unwrap()
    }

    fn recorded(check: &str, id: &str, status: &str, message: &str) -> serde_json::Value {
        serde_json::json!({"check_id": check, "check_title": check, "resource_id": id, "resource_type": "AWS::S3::Bucket",
                           "region": "us-east-1", "status": status, "severity": "high", "message": message, "remediation": ""})
    }

    fn found(check: &str, id: &str, status: Status, message: &str) -> Finding {
        Finding {
            check_id: check.into(),
            resource_type: "AWS::S3::Bucket".into(),
            resource_id: id.into(),
            region: "us-east-1".into(),
            status,
            message: message.into(),
        }
    }

    fn evaluation(findings: Vec<Finding>) -> Evaluation {
        Evaluation {
            plugin: "s3".into(),
            account_id: "111111111111".into(),
            result: Ok(findings),
            fuel_used: 1,
            duration: Duration::ZERO,
            instantiate: Duration::ZERO,
            log: vec![],
        }
    }

    #[test]
    fn each_resource_is_same_changed_new_or_gone() {
        let r = report(serde_json::json!([
            recorded("a", "logs", "fail", "no MFA delete"),
            recorded("a", "site", "pass", "ok"),
            recorded("b", "old", "fail", "x"),
            // Another plugin's check: not this replay's business.
            recorded("zz", "logs", "fail", "other"),
        ]));
        let e = evaluation(vec![
            found("a", "logs", Status::Fail, "no MFA delete"),
            found("a", "site", Status::Fail, "now failing"),
            found("b", "new-bucket", Status::Pass, "ok"),
        ]);
        let all = compare(&r, &plugin(), &e, &Focus::default());
        let got: Vec<(&str, &str, Verdict)> = all.iter().map(|c| (c.check_id.as_str(), c.resource_id.as_str(), c.verdict())).collect();
        assert_eq!(
            got,
            vec![
                ("a", "logs", Verdict::Same),
                ("a", "site", Verdict::Changed),
                ("b", "new-bucket", Verdict::New),
                ("b", "old", Verdict::Gone)
            ]
        );
        let focused = compare(&r, &plugin(), &e, &Focus { check: Some("a".into()), resource: Some("site".into()) });
        assert_eq!(focused.len(), 1);
        assert_eq!(focused[0].recorded.as_ref().unwrap().status, "pass");
        assert_eq!(focused[0].replayed.as_ref().unwrap().status, "fail");
    }

    #[test]
    fn the_component_is_named_against_the_scans_plugins() {
        let r = report(serde_json::json!([]));
        let mut p = plugin();
        assert_eq!(identity(&r, &p), Identity::OtherVersion { version: "0.9.0".into(), sha256: "bb".repeat(32) });
        p.sha256 = "bb".repeat(32);
        assert_eq!(identity(&r, &p), Identity::SameComponent);
        p.name = "iam".into();
        p.sha256 = "cc".repeat(32);
        assert_eq!(identity(&r, &p), Identity::NotInScan);
    }
}
