//! The plugin contract's plain types, shared by the host runtime and the guest SDK:
//! the values of the WIT `severity` and `status` enums (`wit/control.wit`) as Rust
//! enums, with their spellings. The host depends on this crate, not on the guest SDK;
//! the SDK re-exports it, so plugin code names them as `securebase_plugin_sdk::Severity`.
//!
//! It has no dependencies, so it builds for the `wasm32-wasip2` guests as for the host.

/// How bad a failing check is; mirrors the WIT `severity` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

/// The outcome of one check on one resource; mirrors the WIT `status` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The resource complies.
    Pass,
    /// The resource does not comply.
    Fail,
    /// The check does not apply to this resource.
    NotApplicable,
    /// The check could not decide, e.g. the configuration is malformed.
    Error,
}

impl Severity {
    /// All severities, ascending.
    pub const ALL: [Severity; 5] = [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    /// Lower-case name, as in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a name, ignoring case.
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

impl Status {
    /// Parses the JSON spelling.
    pub fn parse(s: &str) -> Option<Status> {
        [Status::Pass, Status::Fail, Status::NotApplicable, Status::Error].into_iter().find(|v| v.as_str() == s)
    }

    /// The spelling used in fixtures and in the host's JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not_applicable",
            Status::Error => "error",
        }
    }
}
