//! Frameworks as data, and scoring.
//!
//! A framework file (`frameworks/*.toml`) lists requirements, each decided by zero or
//! more checks. Scoring turns per-check outcomes into a status per requirement:
//!
//! - no checks: **manual**, reported for an auditor to evidence, never counted as passing;
//! - any check failed on any resource: **fail**;
//! - otherwise, any check could not be evaluated (plugin error, `error` finding): **error**;
//! - otherwise, any check passed on a resource: **pass**;
//! - otherwise (no resource applies): **not applicable**.
//!
//! The score is passing requirements over decided ones, as a percentage. A requirement
//! in error counts as decided and not passing: a control that could not be checked
//! cannot be claimed, and a crashing plugin must never raise a score.

mod builtin;
mod framework;

pub use builtin::builtin;
pub use framework::{Framework, FrameworkError, Requirement, is_framework_id};

use std::collections::HashMap;

/// How one check fared across the resources it looked at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckOutcome {
    /// Resources that passed.
    pub pass: u32,
    /// Resources that failed.
    pub fail: u32,
    /// Resources it did not apply to.
    pub not_applicable: u32,
    /// Resources, or whole evaluations, it could not decide.
    pub error: u32,
    /// Failing resources covered by an accepted-risk exception.
    pub excepted: u32,
}

impl CheckOutcome {
    /// Adds another outcome's counts to this one.
    pub fn merge(&mut self, other: &CheckOutcome) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.not_applicable += other.not_applicable;
        self.error += other.error;
        self.excepted += other.excepted;
    }
}

/// The status of one requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequirementStatus {
    /// All its checks passed on all applicable resources.
    Pass,
    /// One of its checks failed.
    Fail,
    /// No resource applies.
    NotApplicable,
    /// No automated check: an auditor must evidence it.
    Manual,
    /// A check could not be evaluated.
    Error,
    /// Its only failures are covered by exceptions (accepted risks): counted as passing
    /// in the score, shown apart from clean passes.
    PassingWithExceptions,
    /// A manual requirement evidenced by a person (a valid attestation): covered, but
    /// never an automated pass, so not in the score.
    Attested,
}

impl RequirementStatus {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RequirementStatus::Pass => "pass",
            RequirementStatus::Fail => "fail",
            RequirementStatus::NotApplicable => "not_applicable",
            RequirementStatus::Manual => "manual",
            RequirementStatus::Error => "error",
            RequirementStatus::PassingWithExceptions => "passing_with_exceptions",
            RequirementStatus::Attested => "attested",
        }
    }
}

/// One requirement's result.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementResult {
    /// Requirement id, e.g. `2.1.1`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The framework section it belongs to.
    pub section: String,
    /// Its status.
    pub status: RequirementStatus,
    /// The checks behind it.
    pub checks: Vec<String>,
}

/// The counts behind a score (serialized as-is into the scan document).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// Requirements in the framework.
    pub total_controls: u32,
    /// Passing.
    pub passing: u32,
    /// Failing.
    pub failing: u32,
    /// Not applicable.
    pub non_applicable: u32,
    /// Manual.
    pub manual: u32,
    /// Could not be evaluated.
    pub errored: u32,
    /// Passing only because their failures are excepted (accepted risks); not in `passing`.
    #[serde(default)]
    pub passing_with_exceptions: u32,
    /// Manual requirements with a valid attestation; not in `manual`, not in the score.
    #[serde(default)]
    pub attested: u32,
    /// `(passing + passing_with_exceptions + failing + non_applicable + attested) /
    /// total_controls`: how much of the framework is decided, automatically or by
    /// attestation, as a percentage with one decimal; `None` for an empty framework.
    #[serde(default)]
    pub coverage: Option<f64>,
    /// `(passing + passing_with_exceptions) / (passing + passing_with_exceptions +
    /// failing + errored)` as a percentage with one decimal; `None` when nothing was decided.
    pub score: Option<f64>,
}

/// A framework scored against one set of outcomes (one account, or a whole organization).
#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkScore {
    /// Framework id.
    pub framework: String,
    /// Framework name.
    pub name: String,
    /// Framework version.
    pub version: String,
    /// The counts and the score.
    pub summary: Summary,
    /// Every requirement, in file order.
    pub requirements: Vec<RequirementResult>,
}

/// Scores `framework` against check outcomes. Checks absent from `outcomes` had no
/// resources to look at.
pub fn score(framework: &Framework, outcomes: &HashMap<String, CheckOutcome>) -> FrameworkScore {
    score_attested(framework, outcomes, &std::collections::HashSet::new())
}

/// [`score`], with the manual requirements in `attested` (ids) evidenced by a valid
/// attestation: `attested` instead of `manual`.
pub fn score_attested(
    framework: &Framework,
    outcomes: &HashMap<String, CheckOutcome>,
    attested: &std::collections::HashSet<String>,
) -> FrameworkScore {
    let mut summary = Summary { total_controls: framework.requirements.len() as u32, ..Summary::default() };
    let requirements = framework
        .requirements
        .iter()
        .map(|req| {
            let status = match requirement_status(&req.checks, outcomes) {
                RequirementStatus::Manual if attested.contains(&req.id) => RequirementStatus::Attested,
                other => other,
            };
            match status {
                RequirementStatus::Pass => summary.passing += 1,
                RequirementStatus::Fail => summary.failing += 1,
                RequirementStatus::NotApplicable => summary.non_applicable += 1,
                RequirementStatus::Manual => summary.manual += 1,
                RequirementStatus::Error => summary.errored += 1,
                RequirementStatus::PassingWithExceptions => summary.passing_with_exceptions += 1,
                RequirementStatus::Attested => summary.attested += 1,
            }
            RequirementResult {
                id: req.id.clone(),
                title: req.title.clone(),
                section: req.section.clone(),
                status,
                checks: req.checks.clone(),
            }
        })
        .collect();
    let passing = summary.passing + summary.passing_with_exceptions;
    let decided = passing + summary.failing + summary.errored;
    summary.score = (decided > 0).then(|| (f64::from(passing) * 1000.0 / f64::from(decided)).round() / 10.0);
    let covered = passing + summary.failing + summary.non_applicable + summary.attested;
    summary.coverage =
        (summary.total_controls > 0).then(|| (f64::from(covered) * 1000.0 / f64::from(summary.total_controls)).round() / 10.0);
    FrameworkScore {
        framework: framework.id.clone(),
        name: framework.name.clone(),
        version: framework.version.clone(),
        summary,
        requirements,
    }
}

fn requirement_status(checks: &[String], outcomes: &HashMap<String, CheckOutcome>) -> RequirementStatus {
    if checks.is_empty() {
        return RequirementStatus::Manual;
    }
    let mut total = CheckOutcome::default();
    for c in checks {
        if let Some(o) = outcomes.get(c) {
            total.merge(o);
        }
    }
    if total.fail > 0 {
        RequirementStatus::Fail
    } else if total.error > 0 {
        RequirementStatus::Error
    } else if total.excepted > 0 {
        RequirementStatus::PassingWithExceptions
    } else if total.pass > 0 {
        RequirementStatus::Pass
    } else {
        RequirementStatus::NotApplicable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fw() -> Framework {
        Framework::parse(
            r#"
            id = "t"
            name = "Test"
            version = "1"
            [[requirements]]
            id = "1"
            title = "one"
            checks = ["a", "b"]
            [[requirements]]
            id = "2"
            title = "two"
            checks = ["c"]
            [[requirements]]
            id = "3"
            title = "three"
            checks = []
            [[requirements]]
            id = "4"
            title = "four"
            checks = ["d"]
            [[requirements]]
            id = "5"
            title = "five"
            checks = ["e"]
            "#,
            "t.toml",
        )
        .unwrap()
    }

    fn o(pass: u32, fail: u32, na: u32, error: u32) -> CheckOutcome {
        CheckOutcome { pass, fail, not_applicable: na, error, excepted: 0 }
    }

    #[test]
    fn an_attested_manual_requirement_covers_but_does_not_score() {
        let outcomes: HashMap<String, CheckOutcome> =
            [("a", o(1, 0, 0, 0)), ("b", o(1, 0, 0, 0)), ("c", o(0, 1, 0, 0))].into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        // "1" has checks: an attestation of it changes nothing; "3" is manual.
        let attested: std::collections::HashSet<String> = ["1".to_string(), "3".to_string()].into();
        let plain = score(&fw(), &outcomes);
        let s = score_attested(&fw(), &outcomes, &attested);
        use RequirementStatus::*;
        assert_eq!(s.requirements.iter().map(|r| r.status).collect::<Vec<_>>(), vec![Pass, Fail, Attested, NotApplicable, NotApplicable]);
        assert_eq!((s.summary.attested, s.summary.manual, plain.summary.manual), (1, 0, 1));
        assert_eq!(s.summary.score, plain.summary.score, "an attestation is not an automated pass");
        // Coverage: 4 of 5 decided before (pass, fail, two n/a), all 5 with the attestation.
        assert_eq!((plain.summary.coverage, s.summary.coverage), (Some(80.0), Some(100.0)));
    }

    #[test]
    fn excepted_failures_pass_with_exceptions_but_real_failures_still_fail() {
        let ex = |pass, fail, excepted| CheckOutcome { pass, fail, excepted, ..CheckOutcome::default() };
        // 1: a and b pass but for one excepted failure; 2: c has an excepted and a real failure.
        let outcomes: HashMap<String, CheckOutcome> =
            [("a", ex(3, 0, 1)), ("b", ex(1, 0, 0)), ("c", ex(1, 1, 1)), ("d", ex(2, 0, 0)), ("e", ex(0, 0, 2))]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
        let s = score(&fw(), &outcomes);
        let st: Vec<_> = s.requirements.iter().map(|r| r.status).collect();
        use RequirementStatus::*;
        assert_eq!(st, vec![PassingWithExceptions, Fail, Manual, Pass, PassingWithExceptions]);
        assert_eq!(st[0].as_str(), "passing_with_exceptions");
        assert_eq!((s.summary.passing, s.summary.passing_with_exceptions, s.summary.failing), (1, 2, 1));
        // (1 + 2) passing of 4 decided: 75 %, the excepted ones counted as passing.
        assert_eq!(s.summary.score, Some(75.0));
    }

    #[test]
    fn statuses_follow_the_rules() {
        let outcomes: HashMap<String, CheckOutcome> =
            [("a", o(3, 0, 0, 0)), ("b", o(1, 1, 0, 0)), ("c", o(2, 0, 1, 0)), ("e", o(1, 0, 0, 1))]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
        let s = score(&fw(), &outcomes);
        let st: Vec<_> = s.requirements.iter().map(|r| r.status).collect();
        use RequirementStatus::*;
        assert_eq!(st, vec![Fail, Pass, Manual, NotApplicable, Error]);
        assert_eq!((s.summary.passing, s.summary.failing, s.summary.manual, s.summary.non_applicable, s.summary.errored), (1, 1, 1, 1, 1));
        assert_eq!(s.summary.total_controls, 5);
        // 1 passing of 3 decided (pass, fail, error): 33.3 %.
        assert_eq!(s.summary.score, Some(33.3));
    }

    #[test]
    fn nothing_decided_means_no_score() {
        let s = score(&fw(), &HashMap::new());
        assert_eq!(s.summary.score, None);
        assert_eq!(s.summary.non_applicable, 4);
        assert_eq!(s.summary.manual, 1);
    }

    #[test]
    fn an_error_never_raises_a_score() {
        let base: HashMap<String, CheckOutcome> = [("a".to_string(), o(1, 0, 0, 0)), ("c".to_string(), o(1, 0, 0, 0))].into();
        let mut broken = base.clone();
        broken.insert("e".into(), o(0, 0, 0, 1));
        assert!(score(&fw(), &broken).summary.score <= score(&fw(), &base).summary.score);
    }
}
