//! Host-side vocabulary: what a plugin declares, what it found, and how it failed.

use std::time::Duration;

pub use securebase_contract::{Severity, Status};

/// A pointer to an equivalent rule or document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `aws-config-rule`, `prowler`, `cis`, `url`, ...
    pub kind: String,
    /// The value.
    pub value: String,
}

/// One check as its plugin declared it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInfo {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Severity of a failure.
    pub severity: Severity,
    /// Resource types it reports on.
    pub resource_types: Vec<String>,
    /// Why it matters.
    pub rationale: String,
    /// How to fix a failure.
    pub remediation: String,
    /// Equivalent rules.
    pub references: Vec<Reference>,
}

impl CheckInfo {
    /// The equivalent AWS Config managed rule, if the plugin named one.
    pub fn aws_config_rule(&self) -> Option<&str> {
        self.references.iter().find(|r| r.kind == "aws-config-rule").map(|r| r.value.as_str())
    }

    /// The check as the catalogue lists it (`securebase plugins --format json`,
    /// `GET /v1/plugins`): everything it declares.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "title": self.title,
            "severity": self.severity.as_str(),
            "resource_types": self.resource_types,
            "rationale": self.rationale,
            "remediation": self.remediation,
            "references": self.references.iter().map(|r| serde_json::json!({ "kind": r.kind, "value": r.value })).collect::<Vec<_>>(),
        })
    }
}

/// A loaded plugin's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginInfo {
    /// Name from its metadata.
    pub name: String,
    /// Version from its metadata.
    pub version: String,
    /// SHA-256 of the component bytes, hex.
    pub sha256: String,
    /// Its checks.
    pub checks: Vec<CheckInfo>,
}

impl PluginInfo {
    /// The plugin and its checks as the catalogue lists them.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "version": self.version,
            "sha256": self.sha256,
            "checks": self.checks.iter().map(CheckInfo::to_json).collect::<Vec<_>>(),
        })
    }

    /// A declared check by id.
    pub fn check(&self, id: &str) -> Option<&CheckInfo> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// A validated finding: the plugin's verdict plus what the host knows (region, account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The check.
    pub check_id: String,
    /// The resource's type.
    pub resource_type: String,
    /// The resource's id.
    pub resource_id: String,
    /// The resource's region, from the inventory (not from the plugin).
    pub region: String,
    /// The verdict.
    pub status: Status,
    /// The plugin's message.
    pub message: String,
}

/// Why an evaluation produced no findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Ran out of fuel.
    FuelExhausted,
    /// Hit the wall-clock deadline.
    Timeout,
    /// Tried to grow linear memory past the limit.
    MemoryLimit,
    /// Overflowed the WebAssembly stack.
    StackOverflow,
    /// Trapped (a panic, `unreachable`, an out-of-bounds access...).
    Trap,
    /// Returned more, or larger, output than allowed.
    OutputLimit,
    /// Returned findings that fail validation (unknown check, foreign resource...).
    InvalidOutput,
    /// The plugin returned an error itself.
    PluginFailed,
    /// The component could not be instantiated.
    Instantiation,
    /// Not run, or stopped, because its tenant's plugins used up their fuel budget
    /// for the scan (the scan goes on without it).
    FuelBudgetExhausted,
}

impl ErrorKind {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::FuelExhausted => "fuel_exhausted",
            ErrorKind::Timeout => "timeout",
            ErrorKind::MemoryLimit => "memory_limit",
            ErrorKind::StackOverflow => "stack_overflow",
            ErrorKind::Trap => "trap",
            ErrorKind::OutputLimit => "output_limit",
            ErrorKind::InvalidOutput => "invalid_output",
            ErrorKind::PluginFailed => "plugin_failed",
            ErrorKind::Instantiation => "instantiation",
            ErrorKind::FuelBudgetExhausted => "fuel_budget_exhausted",
        }
    }
}

/// An evaluation that failed, as a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// What happened, for a person.
    pub message: String,
}

impl PluginError {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

/// One (account, plugin) evaluation.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The plugin's name.
    pub plugin: String,
    /// The account.
    pub account_id: String,
    /// Validated findings, or why there are none.
    pub result: Result<Vec<Finding>, PluginError>,
    /// Fuel consumed: a deterministic measure of work.
    pub fuel_used: u64,
    /// Wall-clock time.
    pub duration: Duration,
    /// Of which: creating the store and instantiating the component.
    pub instantiate: Duration,
    /// What the plugin logged (bounded).
    pub log: Vec<String>,
}

/// Why a plugin could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The runtime configuration is unusable.
    #[error("invalid runtime configuration: {0}")]
    Config(String),
    /// The bytes are not a valid component.
    #[error("plugin `{plugin}` is not a valid WebAssembly component: {message}")]
    Compile {
        /// The plugin.
        plugin: String,
        /// Why.
        message: String,
    },
    /// It speaks another major version of the contract.
    #[error(
        "plugin `{plugin}` was built for {found}, but this host speaks {supported}; rebuild the plugin against the {supported} WIT package"
    )]
    IncompatibleVersion {
        /// The plugin.
        plugin: String,
        /// What the plugin uses.
        found: String,
        /// What the host speaks.
        supported: String,
    },
    /// It does not export the contract at all.
    #[error("plugin `{plugin}` does not export `{expected}`; is it a SecureBase control plugin? (it exports: {exports})")]
    NotAPlugin {
        /// The plugin.
        plugin: String,
        /// The interface it should export.
        expected: String,
        /// What it exports instead.
        exports: String,
    },
    /// It imports something the sandbox does not provide.
    #[error(
        "plugin `{plugin}` imports `{import}`, which the sandbox does not provide: plugins get the inventory, a log, and no filesystem, network, environment or clock access"
    )]
    ForbiddenImport {
        /// The plugin.
        plugin: String,
        /// The import.
        import: String,
    },
    /// Linking failed for another reason (a type mismatch).
    #[error("plugin `{plugin}` cannot be linked: {message}")]
    Link {
        /// The plugin.
        plugin: String,
        /// Why.
        message: String,
    },
    /// Its metadata could not be read or is invalid.
    #[error("plugin `{plugin}` has invalid metadata: {message}")]
    Metadata {
        /// The plugin.
        plugin: String,
        /// Why.
        message: String,
    },
    /// The compile cache could not be used.
    #[error("plugin cache {path}: {message}")]
    Cache {
        /// The cache path.
        path: std::path::PathBuf,
        /// Why.
        message: String,
    },
}
