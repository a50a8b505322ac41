//! Drift: what changed between a tenant's previous scan of a scope and this one.
//!
//! A finding is identified by (account, region, check, resource type, resource id); a
//! resource by (account, region, resource type, resource id), as seen through the
//! findings of either scan (a resource no check looks at is not tracked). A scan with
//! no predecessor is a baseline: nothing is "new" in it, so a first scan of thousands
//! of resources does not read (or notify) as thousands of new failures.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One scan as drift sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Side {
    /// The scan.
    pub scan_id: String,
    /// Every finding: its identity, status and severity.
    pub findings: Vec<FindingKey>,
    /// Organization-wide score per framework (`None`: nothing decided).
    pub scores: BTreeMap<String, Option<f64>>,
    /// The requirements attested (by a valid attestation), as (framework, requirement).
    pub attested: BTreeSet<(String, String)>,
}

/// A requirement of a framework.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RequirementRef {
    /// Framework id.
    pub framework: String,
    /// Requirement id.
    pub requirement: String,
}

/// The (framework, requirement) pairs of results whose requirements are attested.
pub fn attested_in(frameworks: &[securebase_scan::FrameworkResult]) -> BTreeSet<(String, String)> {
    frameworks
        .iter()
        .flat_map(|f| f.requirements.iter().filter(|r| r.status == "attested").map(move |r| (f.framework.clone(), r.id.clone())))
        .collect()
}

/// A finding's identity with its status and severity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FindingKey {
    /// The account.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// The check.
    pub check_id: String,
    /// The resource's type.
    pub resource_type: String,
    /// The resource.
    pub resource_id: String,
    /// `pass`, `fail`, `not_applicable` or `error`.
    pub status: String,
    /// The check's severity.
    pub severity: String,
}

/// A failing finding that appeared or went away.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Failure {
    /// The account.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// The check.
    pub check_id: String,
    /// The check's severity.
    pub severity: String,
    /// The resource's type.
    pub resource_type: String,
    /// The resource.
    pub resource_id: String,
}

/// A resource that appeared or went away.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Resource {
    /// The account.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// Its type.
    pub resource_type: String,
    /// Its id.
    pub resource_id: String,
}

/// A framework's organization-wide score before and now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreChange {
    /// Framework id.
    pub framework: String,
    /// Score in the previous scan.
    pub previous: Option<f64>,
    /// Score now.
    pub current: Option<f64>,
    /// `current - previous`, in points, one decimal; `None` unless both are known.
    pub change: Option<f64>,
}

/// What changed since the previous scan of the same scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// The scan compared with; `None` for a baseline (the scope's first scan).
    pub previous_scan: Option<String>,
    /// Failing now, not failing before (passing, or not there); most severe first.
    pub new_failures: Vec<Failure>,
    /// Failing before, not failing now (fixed, or the resource is gone).
    pub resolved_failures: Vec<Failure>,
    /// Failing now, excepted before: the exception that accepted the risk has expired
    /// (or was withdrawn). Not counted again among `new_failures`.
    #[serde(default)]
    pub exception_expired: Vec<Failure>,
    /// Requirements attested before and not now: their attestation expired (or was
    /// deleted), so they are manual again.
    #[serde(default)]
    pub attestation_expired: Vec<RequirementRef>,
    /// Resources seen now, not before.
    pub new_resources: Vec<Resource>,
    /// Resources seen before, not now.
    pub removed_resources: Vec<Resource>,
    /// Score change per framework scored in either scan.
    pub frameworks: Vec<ScoreChange>,
}

/// The counts of a [`Drift`], listed with a scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftSummary {
    /// As in [`Drift`].
    pub previous_scan: Option<String>,
    /// Failing findings that appeared.
    pub new_failures: usize,
    /// Failing findings that went away.
    pub resolved_failures: usize,
    /// Failing findings whose exception has lapsed.
    #[serde(default)]
    pub exception_expired: usize,
    /// Requirements no longer attested.
    #[serde(default)]
    pub attestation_expired: usize,
    /// Resources that appeared.
    pub new_resources: usize,
    /// Resources that went away.
    pub removed_resources: usize,
    /// Score change in points per framework (`None` unless both scores are known).
    pub score_change: BTreeMap<String, Option<f64>>,
}

impl Side {
    /// A scan's side, from its document.
    pub fn of_report(scan_id: &str, report: &securebase_scan::ScanReport) -> Self {
        let findings = report
            .accounts
            .iter()
            .flat_map(|a| {
                a.findings.iter().map(|f| FindingKey {
                    account_id: a.account_id.clone(),
                    region: f.region.clone(),
                    check_id: f.check_id.clone(),
                    resource_type: f.resource_type.clone(),
                    resource_id: f.resource_id.clone(),
                    status: f.status.clone(),
                    severity: f.severity.clone(),
                })
            })
            .collect();
        let scores = report.organization.frameworks.iter().map(|f| (f.framework.clone(), f.summary.score)).collect();
        Self { scan_id: scan_id.into(), findings, scores, attested: attested_in(&report.organization.frameworks) }
    }

    fn failures(&self) -> BTreeSet<Failure> {
        self.with_status("fail")
    }

    fn with_status(&self, status: &str) -> BTreeSet<Failure> {
        self.findings.iter().filter(|f| f.status == status).map(FindingKey::failure).collect()
    }

    fn resources(&self) -> BTreeSet<Resource> {
        self.findings.iter().map(FindingKey::resource).collect()
    }
}

impl FindingKey {
    fn failure(&self) -> Failure {
        Failure {
            account_id: self.account_id.clone(),
            region: self.region.clone(),
            check_id: self.check_id.clone(),
            severity: self.severity.clone(),
            resource_type: self.resource_type.clone(),
            resource_id: self.resource_id.clone(),
        }
    }

    fn resource(&self) -> Resource {
        Resource {
            account_id: self.account_id.clone(),
            region: self.region.clone(),
            resource_type: self.resource_type.clone(),
            resource_id: self.resource_id.clone(),
        }
    }
}

/// Compares `current` with `previous` (`None`: `current` is a baseline).
pub fn compare(previous: Option<&Side>, current: &Side) -> Drift {
    let Some(previous) = previous else {
        return Drift {
            previous_scan: None,
            new_failures: vec![],
            resolved_failures: vec![],
            exception_expired: vec![],
            attestation_expired: vec![],
            new_resources: vec![],
            removed_resources: vec![],
            frameworks: current
                .scores
                .iter()
                .map(|(fw, s)| ScoreChange { framework: fw.clone(), previous: None, current: *s, change: None })
                .collect(),
        };
    };
    // A severity change of the same check is not a new failure: compare identities only.
    let identity =
        |f: &Failure| (f.account_id.clone(), f.region.clone(), f.check_id.clone(), f.resource_type.clone(), f.resource_id.clone());
    let (before, now) = (previous.failures(), current.failures());
    let before_ids: BTreeSet<_> = before.iter().map(identity).collect();
    let excepted_ids: BTreeSet<_> = previous.with_status("excepted").iter().map(identity).collect();
    // A failure accepted as a risk since is not fixed: it is not "resolved" either.
    let now_excepted: BTreeSet<_> = current.with_status("excepted").iter().map(identity).collect();
    let now_ids: BTreeSet<_> = now.iter().map(identity).collect();
    let (res_before, res_now) = (previous.resources(), current.resources());
    let frameworks: BTreeSet<&String> = previous.scores.keys().chain(current.scores.keys()).collect();
    // Most severe first: what a reader (or a webhook receiver) acts on first.
    let by_severity = |mut v: Vec<Failure>| {
        v.sort_by_key(|f| (rank(&f.severity), identity(f)));
        v
    };
    Drift {
        previous_scan: Some(previous.scan_id.clone()),
        new_failures: by_severity(
            now.iter().filter(|f| !before_ids.contains(&identity(f)) && !excepted_ids.contains(&identity(f))).cloned().collect(),
        ),
        exception_expired: by_severity(now.iter().filter(|f| excepted_ids.contains(&identity(f))).cloned().collect()),
        attestation_expired: previous
            .attested
            .difference(&current.attested)
            .map(|(f, r)| RequirementRef { framework: f.clone(), requirement: r.clone() })
            .collect(),
        resolved_failures: by_severity(
            before.iter().filter(|f| !now_ids.contains(&identity(f)) && !now_excepted.contains(&identity(f))).cloned().collect(),
        ),
        new_resources: res_now.difference(&res_before).cloned().collect(),
        removed_resources: res_before.difference(&res_now).cloned().collect(),
        frameworks: frameworks
            .into_iter()
            .map(|fw| {
                let (p, c) = (previous.scores.get(fw).copied().flatten(), current.scores.get(fw).copied().flatten());
                ScoreChange {
                    framework: fw.clone(),
                    previous: p,
                    current: c,
                    change: p.zip(c).map(|(p, c)| ((c - p) * 10.0).round() / 10.0),
                }
            })
            .collect(),
    }
}

impl Drift {
    /// Its counts.
    pub fn summary(&self) -> DriftSummary {
        DriftSummary {
            previous_scan: self.previous_scan.clone(),
            new_failures: self.new_failures.len(),
            resolved_failures: self.resolved_failures.len(),
            exception_expired: self.exception_expired.len(),
            attestation_expired: self.attestation_expired.len(),
            new_resources: self.new_resources.len(),
            removed_resources: self.removed_resources.len(),
            score_change: self.frameworks.iter().map(|f| (f.framework.clone(), f.change)).collect(),
        }
    }

    /// New failures at or above `min_severity` (`critical` > `high` > `medium` > `low`).
    pub fn new_failures_at_least(&self, min_severity: &str) -> Vec<&Failure> {
        let floor = rank(min_severity);
        self.new_failures.iter().filter(|f| rank(&f.severity) <= floor).collect()
    }
}

/// Most severe first; unknown severities rank below `low`.
pub fn rank(severity: &str) -> usize {
    ["critical", "high", "medium", "low"].iter().position(|s| *s == severity).unwrap_or(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(resource: &str, check: &str, status: &str, severity: &str) -> FindingKey {
        FindingKey {
            account_id: "111111111111".into(),
            region: "us-east-1".into(),
            check_id: check.into(),
            resource_type: "AWS::S3::Bucket".into(),
            resource_id: resource.into(),
            status: status.into(),
            severity: severity.into(),
        }
    }

    fn side(id: &str, findings: Vec<FindingKey>, score: Option<f64>) -> Side {
        Side { scan_id: id.into(), findings, scores: [("soc2".to_string(), score)].into(), attested: BTreeSet::new() }
    }

    #[test]
    fn failures_and_resources_that_changed_are_listed_once() {
        let before = side(
            "s1",
            vec![
                finding("kept-failing", "c1", "fail", "high"),
                finding("fixed", "c1", "fail", "high"),
                finding("broke", "c1", "pass", "high"),
                finding("removed", "c1", "fail", "low"),
            ],
            Some(33.3),
        );
        let now = side(
            "s2",
            vec![
                finding("kept-failing", "c1", "fail", "critical"),
                finding("fixed", "c1", "pass", "high"),
                finding("broke", "c1", "fail", "high"),
                finding("added", "c1", "fail", "medium"),
                finding("added", "c2", "pass", "low"),
            ],
            Some(66.7),
        );
        let d = compare(Some(&before), &now);
        assert_eq!(d.previous_scan.as_deref(), Some("s1"));
        let ids = |v: &[Failure]| v.iter().map(|f| f.resource_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.new_failures), ["broke", "added"]);
        assert_eq!(ids(&d.resolved_failures), ["fixed", "removed"]);
        assert_eq!(d.new_resources.iter().map(|r| r.resource_id.as_str()).collect::<Vec<_>>(), ["added"]);
        assert_eq!(d.removed_resources.iter().map(|r| r.resource_id.as_str()).collect::<Vec<_>>(), ["removed"]);
        assert_eq!(d.frameworks, [ScoreChange { framework: "soc2".into(), previous: Some(33.3), current: Some(66.7), change: Some(33.4) }]);
        let s = d.summary();
        assert_eq!((s.new_failures, s.resolved_failures, s.new_resources, s.removed_resources), (2, 2, 1, 1));
        assert_eq!(d.new_failures_at_least("high").len(), 1);
        assert_eq!(d.new_failures_at_least("low").len(), 2);
    }

    #[test]
    fn a_requirement_no_longer_attested_is_reported() {
        let mut before = side("s1", vec![], None);
        before.attested = [("hipaa".to_string(), "164.308(a)(2)".to_string()), ("hipaa".to_string(), "164.310(a)(1)".to_string())].into();
        let mut now = side("s2", vec![], None);
        now.attested = [("hipaa".to_string(), "164.310(a)(1)".to_string())].into();
        let d = compare(Some(&before), &now);
        assert_eq!(d.attestation_expired, [RequirementRef { framework: "hipaa".into(), requirement: "164.308(a)(2)".into() }]);
        assert_eq!(d.summary().attestation_expired, 1);
        assert!(compare(Some(&now), &before).attestation_expired.is_empty(), "a new attestation is not a lapse");
    }

    #[test]
    fn a_lapsed_exception_is_reported_as_such_and_a_new_one_resolves_nothing() {
        let before = side("s1", vec![finding("logs", "c1", "excepted", "high"), finding("site", "c1", "fail", "high")], Some(50.0));
        let now = side("s2", vec![finding("logs", "c1", "fail", "high"), finding("site", "c1", "excepted", "high")], Some(50.0));
        let d = compare(Some(&before), &now);
        assert_eq!(d.exception_expired.iter().map(|f| f.resource_id.as_str()).collect::<Vec<_>>(), ["logs"]);
        assert!(d.new_failures.is_empty(), "a lapsed exception is not a new failure: {:?}", d.new_failures);
        assert!(d.resolved_failures.is_empty(), "an accepted risk is not a fix: {:?}", d.resolved_failures);
        assert_eq!(d.summary().exception_expired, 1);
    }

    #[test]
    fn a_first_scan_is_a_baseline_and_an_unchanged_one_has_no_drift() {
        let one = side("s1", vec![finding("b", "c1", "fail", "critical")], None);
        let d = compare(None, &one);
        assert!(d.previous_scan.is_none() && d.new_failures.is_empty() && d.new_resources.is_empty());
        assert_eq!(d.frameworks[0].change, None);
        let again = Side { scan_id: "s2".into(), ..one.clone() };
        let d = compare(Some(&one), &again);
        assert!(
            d.new_failures.is_empty() && d.resolved_failures.is_empty() && d.new_resources.is_empty() && d.removed_resources.is_empty()
        );
    }
}
