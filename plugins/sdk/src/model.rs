//! The vocabulary of a plugin: checks, their metadata, and the findings they report.

use crate::inventory::{Inventory, Item};

// The contract's plain types live in `securebase-contract`, shared with the host (which
// does not depend on this SDK); plugins name them from here as before.
pub use securebase_contract::{Severity, Status};

/// A pointer from a check to an equivalent elsewhere (AWS Config rule, Prowler check, CIS item).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// `aws-config-rule`, `prowler`, `cis`, `url`, ...
    pub kind: &'static str,
    /// The rule name, check id, recommendation number or address.
    pub value: &'static str,
}

/// Everything the host and the reports need to know about a check, declared up front.
#[derive(Debug, Clone, Copy)]
pub struct CheckMeta {
    /// Stable id; Prowler's id where the meaning is the same.
    pub id: &'static str,
    /// One line, phrased as the compliant state.
    pub title: &'static str,
    /// Severity of a failure.
    pub severity: Severity,
    /// Resource types the check reports on.
    pub resource_types: &'static [&'static str],
    /// Why it matters.
    pub rationale: &'static str,
    /// How to fix a failure.
    pub remediation: &'static str,
    /// Equivalent rules and documents.
    pub references: &'static [Reference],
}

/// A check: its metadata and the function that evaluates it.
#[derive(Clone, Copy)]
pub struct Check {
    /// What the check is.
    pub meta: CheckMeta,
    /// Evaluates the check over one account's inventory.
    pub run: fn(&Inventory, &mut Findings),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("id", &self.meta.id).finish()
    }
}

/// A plugin: a named, versioned set of checks, usually one AWS service family.
#[derive(Debug)]
pub struct Plugin {
    /// Plugin name, e.g. `s3`.
    pub name: &'static str,
    /// Plugin version (semver).
    pub version: &'static str,
    /// The checks, in report order.
    pub checks: &'static [Check],
}

impl Plugin {
    /// Runs every check over the inventory, in declaration order.
    pub fn evaluate(&self, inventory: &Inventory) -> Vec<Finding> {
        let mut all = Vec::new();
        for check in self.checks {
            all.extend(check.evaluate(inventory));
        }
        all
    }

    /// The check with this id.
    pub fn check(&self, id: &str) -> Option<&'static Check> {
        self.checks.iter().find(|c| c.meta.id == id)
    }
}

impl Check {
    /// Runs this one check.
    pub fn evaluate(&self, inventory: &Inventory) -> Vec<Finding> {
        let mut out = Findings::new(self.meta.id);
        (self.run)(inventory, &mut out);
        out.into_vec()
    }
}

/// The verdict of one check on one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The check that decided it.
    pub check_id: String,
    /// The resource's type.
    pub resource_type: String,
    /// The resource's id.
    pub resource_id: String,
    /// The verdict.
    pub status: Status,
    /// A sentence a person can act on.
    pub message: String,
}

/// Collects the findings of one check; handed to the check function.
#[derive(Debug)]
pub struct Findings {
    check_id: &'static str,
    findings: Vec<Finding>,
}

impl Findings {
    /// An empty collector for `check_id`.
    pub fn new(check_id: &'static str) -> Self {
        Self { check_id, findings: Vec::new() }
    }

    /// Records a verdict on `item`.
    pub fn record(&mut self, item: &Item, status: Status, message: impl Into<String>) {
        self.findings.push(Finding {
            check_id: self.check_id.to_string(),
            resource_type: item.resource_type.clone(),
            resource_id: item.resource_id.clone(),
            status,
            message: message.into(),
        });
    }

    /// `item` complies.
    pub fn pass(&mut self, item: &Item, message: impl Into<String>) {
        self.record(item, Status::Pass, message);
    }

    /// `item` does not comply.
    pub fn fail(&mut self, item: &Item, message: impl Into<String>) {
        self.record(item, Status::Fail, message);
    }

    /// The check does not apply to `item`.
    pub fn not_applicable(&mut self, item: &Item, message: impl Into<String>) {
        self.record(item, Status::NotApplicable, message);
    }

    /// The check could not decide on `item`.
    pub fn error(&mut self, item: &Item, message: impl Into<String>) {
        self.record(item, Status::Error, message);
    }

    /// `pass` when `ok`, otherwise `fail`: the common two-way check.
    pub fn verdict(&mut self, item: &Item, ok: bool, pass: impl Into<String>, fail: impl Into<String>) {
        if ok {
            self.pass(item, pass);
        } else {
            self.fail(item, fail);
        }
    }

    /// The findings recorded so far.
    pub fn into_vec(self) -> Vec<Finding> {
        self.findings
    }
}
