//! Per-call limits. All are on by default and all are configurable: a plugin from a
//! security team's repository is untrusted code until proven otherwise.

use std::time::Duration;

/// What one plugin call may consume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Fuel per call: roughly one unit per WebAssembly instruction. Deterministic, so a
    /// plugin that runs out does so at the same point on every machine. The default is
    /// about a hundred times what the built-in plugins use on a 1,000-resource account.
    pub fuel: u64,
    /// Wall-clock backstop (epoch deadline) for time spent outside fuel accounting.
    pub timeout: Duration,
    /// Linear memory per instance, in bytes.
    pub memory_bytes: usize,
    /// WebAssembly stack, in bytes (engine-wide).
    pub stack_bytes: usize,
    /// Findings one call may return.
    pub max_findings: usize,
    /// Bytes in any one string of a finding or of metadata (ids, messages, remediation).
    pub max_string_bytes: usize,
    /// Bytes of log output (log interface plus stdout/stderr) kept per call.
    pub max_log_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            fuel: 2_000_000_000,
            timeout: Duration::from_secs(10),
            memory_bytes: 256 << 20,
            stack_bytes: 1 << 20,
            max_findings: 100_000,
            max_string_bytes: 16 << 10,
            max_log_bytes: 64 << 10,
        }
    }
}

impl Limits {
    /// Refuses limits that would switch a protection off or cannot work.
    pub fn validate(&self) -> Result<(), String> {
        let zero = [
            ("fuel", self.fuel == 0),
            ("timeout", self.timeout.is_zero()),
            ("memory", self.memory_bytes == 0),
            ("stack", self.stack_bytes == 0),
            ("max findings", self.max_findings == 0),
            ("max string bytes", self.max_string_bytes == 0),
        ];
        if let Some((name, _)) = zero.iter().find(|(_, z)| *z) {
            return Err(format!("limit `{name}` must be greater than zero; limits cannot be switched off"));
        }
        if self.memory_bytes > 4 << 30 {
            return Err(format!("memory limit {} bytes exceeds the 4 GiB a 32-bit plugin can address", self.memory_bytes));
        }
        if self.stack_bytes > 64 << 20 {
            return Err(format!("stack limit {} bytes exceeds the 64 MiB maximum", self.stack_bytes));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_all_on_and_valid() {
        let l = Limits::default();
        assert!(l.validate().is_ok());
        assert!(l.fuel > 0 && !l.timeout.is_zero() && l.memory_bytes > 0 && l.stack_bytes > 0);
        assert!(l.max_findings > 0 && l.max_string_bytes > 0 && l.max_log_bytes > 0);
    }

    #[test]
    fn limits_cannot_be_switched_off() {
        for l in [
            Limits { fuel: 0, ..Limits::default() },
            Limits { timeout: Duration::ZERO, ..Limits::default() },
            Limits { memory_bytes: 0, ..Limits::default() },
            Limits { memory_bytes: 8 << 30, ..Limits::default() },
            Limits { stack_bytes: 0, ..Limits::default() },
        ] {
            assert!(l.validate().is_err(), "{l:?}");
        }
    }
}
