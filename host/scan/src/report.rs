//! The scan document: what `securebase scan --format json` prints and what reports
//! and the API are rendered from. Field names are part of the public interface.

use securebase_inventory::ConfigItem;
use securebase_runtime::{CheckInfo, Finding, PluginInfo};
use securebase_scoring::{Framework, FrameworkScore, Summary};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The schema tag of the scan document.
pub const SCAN_SCHEMA: &str = "securebase.scan/v1";

/// One scan of one inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    /// [`SCAN_SCHEMA`].
    pub schema: String,
    /// The engine that produced it.
    pub engine: EngineInfo,
    /// Where the inventory came from.
    pub source: String,
    /// When the scan started (RFC 3339).
    pub started_at: String,
    /// How long it took.
    pub duration_ms: u64,
    /// The plugins that ran, with content hashes.
    pub plugins: Vec<PluginEntry>,
    /// The frameworks scored, with file hashes.
    pub frameworks: Vec<FrameworkEntry>,
    /// Scores across all accounts.
    pub organization: OrganizationResult,
    /// Per-account results.
    pub accounts: Vec<AccountResult>,
    /// Evaluations that failed: (plugin, account) pairs with no findings.
    pub plugin_errors: Vec<PluginErrorEntry>,
    /// What live collection could not read (a service, a region or a whole account):
    /// checks that read it saw nothing there. Empty for snapshot scans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collection_errors: Vec<CollectionErrorEntry>,
    /// What changed since the previous scan of the same scope (the `securebase-drift`
    /// document), for scans run by the service; absent from CLI scans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<serde_json::Value>,
    /// SHA-256 of the inventory the scan evaluated (see [`crate::KeptInventory`]), when it
    /// was kept for replay: always by the service, with `--keep-inventory` by the CLI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory_sha256: Option<String>,
    /// That inventory, as account documents, when the document carries it (the CLI's
    /// `--keep-inventory`; the service keeps it beside the document instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Vec<serde_json::Value>>,
    /// The exception register as the scan applied it: every exception, expired or not,
    /// with the findings it matched. Absent when there were none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<ExceptionEntry>,
    /// The attestations the scan was given, each with its state at the scan's start
    /// (only `valid` ones make their requirement `attested`). Absent when there were none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<AttestationEntry>,
}

/// One attestation as a scan applied it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttestationEntry {
    /// The attestation, with its evidence files' names, sizes and SHA-256.
    #[serde(flatten)]
    pub attestation: securebase_attestations::Attestation,
    /// `valid`, `not_yet_valid` or `expired`.
    pub state: String,
}

/// One exception as a scan applied it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExceptionEntry {
    /// The exception.
    #[serde(flatten)]
    pub exception: securebase_exceptions::Exception,
    /// `active`, or `expired` (it matched nothing: its findings fail again).
    pub state: String,
    /// Failing findings it turned into `excepted`.
    pub matched: usize,
}

/// One thing live collection could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionErrorEntry {
    /// The account.
    pub account_id: String,
    /// The service (`ec2`, `iam`, ...; `sts` when the account could not be entered).
    pub service: String,
    /// The region, or `global`.
    pub region: String,
    /// The call and what went wrong.
    pub message: String,
}

impl std::fmt::Display for CollectionErrorEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "account {} {} [{}]: {}", self.account_id, self.service, self.region, self.message)
    }
}

/// The engine's identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineInfo {
    /// `securebase`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The sandbox's instance allocator (`pooling` or `on-demand`).
    pub allocator: String,
}

/// A plugin that took part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginEntry {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// SHA-256 of the component.
    pub sha256: String,
    /// Its check ids.
    pub checks: Vec<String>,
    /// `builtin` (shipped with the engine), `tenant` (uploaded by the scanned tenant) or
    /// `file` (a component given to `securebase scan --plugin`).
    #[serde(default = "builtin_origin")]
    pub origin: String,
}

fn builtin_origin() -> String {
    "builtin".into()
}

impl PluginEntry {
    /// The entry of a plugin that ran, with where it came from.
    pub fn new(p: &PluginInfo, origin: &str) -> Self {
        Self {
            name: p.name.clone(),
            version: p.version.clone(),
            sha256: p.sha256.clone(),
            checks: p.checks.iter().map(|c| c.id.clone()).collect(),
            origin: origin.into(),
        }
    }
}

impl From<&PluginInfo> for PluginEntry {
    fn from(p: &PluginInfo) -> Self {
        Self::new(p, "builtin")
    }
}

/// A framework that was scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkEntry {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// SHA-256 of its file.
    pub sha256: String,
}

impl From<&Framework> for FrameworkEntry {
    fn from(f: &Framework) -> Self {
        Self { id: f.id.clone(), name: f.name.clone(), version: f.version.clone(), sha256: f.sha256.clone() }
    }
}

/// Scores over the whole organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationResult {
    /// Accounts scanned.
    pub accounts: usize,
    /// Configuration items evaluated.
    pub resources: usize,
    /// One score per framework: a requirement passes only if it passes in every account.
    pub frameworks: Vec<FrameworkResult>,
}

/// One account's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountResult {
    /// The account id.
    pub account_id: String,
    /// Its name, when known.
    pub account_name: Option<String>,
    /// When its inventory was captured.
    pub captured_at: String,
    /// Configuration items in its inventory.
    pub resources: usize,
    /// One score per framework.
    pub frameworks: Vec<FrameworkResult>,
    /// Every finding, sorted by check, resource type and resource id.
    pub findings: Vec<FindingEntry>,
    /// What each plugin did on this account.
    pub evaluations: Vec<EvaluationEntry>,
}

/// A framework's score and the counts behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkResult {
    /// Framework id.
    pub framework: String,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Counts and score.
    pub summary: Summary,
    /// Every requirement with its status.
    pub requirements: Vec<RequirementEntry>,
}

impl From<FrameworkScore> for FrameworkResult {
    fn from(s: FrameworkScore) -> Self {
        Self {
            framework: s.framework,
            name: s.name,
            version: s.version,
            summary: s.summary,
            requirements: s
                .requirements
                .into_iter()
                .map(|r| RequirementEntry {
                    id: r.id,
                    title: r.title,
                    section: r.section,
                    status: r.status.as_str().into(),
                    checks: r.checks,
                })
                .collect(),
        }
    }
}

/// One requirement's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementEntry {
    /// Official id.
    pub id: String,
    /// Official title.
    pub title: String,
    /// The framework section it belongs to.
    #[serde(default)]
    pub section: String,
    /// `pass`, `fail`, `not_applicable`, `manual`, `error`, `passing_with_exceptions`
    /// or `attested`.
    pub status: String,
    /// The checks behind it.
    pub checks: Vec<String>,
}

/// One check's verdict on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingEntry {
    /// The check.
    pub check_id: String,
    /// The check's title.
    pub check_title: String,
    /// The resource: the id AWS Config gives it (for an RDS instance, its `DbiResourceId`).
    pub resource_id: String,
    /// Its name, from its configuration item, where it has one: what a reader knows it by.
    #[serde(default)]
    pub resource_name: Option<String>,
    /// Its ARN, from its configuration item, where it has one.
    #[serde(default)]
    pub resource_arn: Option<String>,
    /// Its type.
    pub resource_type: String,
    /// Its region.
    pub region: String,
    /// `pass`, `fail`, `not_applicable`, `error`, or `excepted` (a failure covered by
    /// an exception: an accepted risk, never a pass).
    pub status: String,
    /// The check's severity.
    pub severity: String,
    /// What the plugin said.
    pub message: String,
    /// How to fix it.
    pub remediation: String,
    /// For an `excepted` finding, the status the plugin gave (`fail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_status: Option<String>,
    /// For an `excepted` finding, the exception that covers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception_id: Option<String>,
}

impl FindingEntry {
    /// `item` is the resource's configuration item: a plugin names only type and id, so
    /// the name and ARN a reader needs come from the inventory.
    pub(crate) fn new(f: &Finding, check: &CheckInfo, item: Option<&ConfigItem>) -> Self {
        Self {
            check_id: f.check_id.clone(),
            check_title: check.title.clone(),
            resource_id: f.resource_id.clone(),
            resource_name: item.and_then(|i| i.resource_name.clone()),
            resource_arn: item.and_then(|i| i.arn.clone()),
            resource_type: f.resource_type.clone(),
            region: f.region.clone(),
            status: f.status.as_str().into(),
            severity: check.severity.as_str().into(),
            message: f.message.clone(),
            remediation: check.remediation.clone(),
            original_status: None,
            exception_id: None,
        }
    }

    /// The resource as a reader knows it: its name, followed by its id where the two differ
    /// (`prod-db (db-M5EN…)`, but `acme-logs` for a bucket).
    pub fn resource_label(&self) -> String {
        resource_label(&self.resource_id, self.resource_name.as_deref())
    }

    /// Marks it as covered by exception `id`, keeping the status the plugin gave.
    pub(crate) fn except(&mut self, id: String) {
        self.original_status = Some(std::mem::replace(&mut self.status, "excepted".into()));
        self.exception_id = Some(id);
    }
}

/// A resource as a reader knows it, from its id and its name if it has one: see
/// [`FindingEntry::resource_label`].
pub fn resource_label(id: &str, name: Option<&str>) -> String {
    match name {
        Some(name) if !name.is_empty() && name != id => format!("{name} ({id})"),
        _ => id.to_string(),
    }
}

/// What one plugin did on one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationEntry {
    /// The plugin.
    pub plugin: String,
    /// `ok` or `error`.
    pub status: String,
    /// Findings returned.
    pub findings: usize,
    /// Fuel consumed: deterministic work done, comparable across machines.
    pub fuel_used: u64,
    /// Wall-clock time.
    pub duration_ms: f64,
}

impl EvaluationEntry {
    pub(crate) fn new(plugin: &str, status: &str, findings: usize, fuel_used: u64, duration: Duration) -> Self {
        Self {
            plugin: plugin.into(),
            status: status.into(),
            findings,
            fuel_used,
            duration_ms: (duration.as_secs_f64() * 1e6).round() / 1e3,
        }
    }
}

/// A (plugin, account) evaluation that produced an error instead of findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginErrorEntry {
    /// The plugin.
    pub plugin: String,
    /// The account.
    pub account_id: String,
    /// `fuel_exhausted`, `timeout`, `memory_limit`, `stack_overflow`, `trap`,
    /// `output_limit`, `invalid_output`, `plugin_failed` or `instantiation`.
    pub kind: String,
    /// What happened.
    pub message: String,
    /// What the plugin logged before it failed (bounded).
    pub log: Vec<String>,
}

impl ScanReport {
    /// Failing findings at or above `severity` (by the runtime's severity order).
    pub fn failing_at_or_above(&self, severity: securebase_runtime::Severity) -> usize {
        self.accounts
            .iter()
            .flat_map(|a| &a.findings)
            .filter(|f| f.status == "fail" && securebase_runtime::Severity::parse(&f.severity).is_some_and(|s| s >= severity))
            .count()
    }
}

/// The scan's start time in Unix milliseconds (0 if the document's timestamp is unreadable).
pub fn report_time_ms(report: &ScanReport) -> i64 {
    securebase_inventory::time::parse_rfc3339(&report.started_at).map(|s| s * 1000).unwrap_or(0)
}
