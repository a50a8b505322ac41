//! The framework file format (TOML) and its validation.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// A compliance framework: requirements and the checks that decide them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    /// Stable id used on the command line and in the API, e.g. `cis-aws-foundations`.
    pub id: String,
    /// Full name.
    pub name: String,
    /// The version of the framework itself, e.g. `3.0.0`.
    pub version: String,
    /// A paragraph about it.
    pub description: String,
    /// Requirements, in document order.
    pub requirements: Vec<Requirement>,
    /// Where it was loaded from.
    pub source: String,
    /// SHA-256 of the file, for the report appendix.
    pub sha256: String,
}

/// One requirement of a framework.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// Official id, e.g. `2.1.1`, `CC6.1`, `164.312(a)(2)(iv)`, `SC-28`.
    pub id: String,
    /// Official short title.
    pub title: String,
    /// What it asks for.
    #[serde(default)]
    pub description: String,
    /// The section it belongs to, for grouping in reports.
    #[serde(default)]
    pub section: String,
    /// The framework's own grading of the requirement: CIS's profile (`Level 1`,
    /// `Level 2`), HIPAA's `Required` or `Addressable`; empty where it has none.
    #[serde(default)]
    pub profile: String,
    /// How the framework itself says the requirement is assessed (`automated` or
    /// `manual`), independent of whether SecureBase has checks for it yet.
    #[serde(default)]
    pub assessment: String,
    /// The checks that decide it; empty means manual.
    pub checks: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    id: String,
    name: String,
    version: String,
    #[serde(default)]
    description: String,
    requirements: Vec<Requirement>,
}

/// Why a framework file is unusable.
#[derive(Debug, thiserror::Error)]
pub enum FrameworkError {
    /// Not valid TOML, or missing or mistyped fields.
    #[error("{source_name}: {message}")]
    Syntax {
        /// The file.
        source_name: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// Valid TOML, invalid content.
    #[error("{source_name}: {field}: {message}")]
    Invalid {
        /// The file.
        source_name: String,
        /// e.g. `requirements[3].checks[0]`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A requirement names a check no loaded plugin provides.
    #[error("{source_name}: requirement {requirement} names check `{check}`, which no loaded plugin provides")]
    UnknownCheck {
        /// The file.
        source_name: String,
        /// The requirement.
        requirement: String,
        /// The check.
        check: String,
    },
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// A framework id: lower-case letters, digits and '-' (what a file's `id` may be, and
/// so what an API path or query can name).
pub fn is_framework_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Framework {
    /// Parses and validates a framework file. `source_name` prefixes errors.
    pub fn parse(text: &str, source_name: &str) -> Result<Framework, FrameworkError> {
        let file: File = toml::from_str(text)
            .map_err(|e| FrameworkError::Syntax { source_name: source_name.into(), message: e.to_string().trim().to_string() })?;
        let invalid =
            |field: String, message: &str| FrameworkError::Invalid { source_name: source_name.into(), field, message: message.into() };
        if !is_framework_id(&file.id) {
            return Err(invalid("id".into(), "expected lower-case letters, digits and '-', e.g. cis-aws-foundations"));
        }
        if file.requirements.is_empty() {
            return Err(invalid("requirements".into(), "expected at least one requirement"));
        }
        let mut ids = HashSet::new();
        for (i, r) in file.requirements.iter().enumerate() {
            if r.id.trim().is_empty() {
                return Err(invalid(format!("requirements[{i}].id"), "expected a non-empty id"));
            }
            if !ids.insert(r.id.as_str()) {
                return Err(invalid(format!("requirements[{i}].id"), &format!("duplicate requirement id {}", r.id)));
            }
            if r.title.trim().is_empty() {
                return Err(invalid(format!("requirements[{i}].title"), "expected a non-empty title"));
            }
            if !r.assessment.is_empty() && r.assessment != "automated" && r.assessment != "manual" {
                return Err(invalid(format!("requirements[{i}].assessment"), "expected \"automated\" or \"manual\""));
            }
            let mut seen = HashSet::new();
            for (j, c) in r.checks.iter().enumerate() {
                if c.is_empty() || !c.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_') {
                    return Err(invalid(format!("requirements[{i}].checks[{j}]"), "expected a check id in lower_snake_case"));
                }
                if !seen.insert(c) {
                    return Err(invalid(format!("requirements[{i}].checks[{j}]"), &format!("check {c} listed twice")));
                }
            }
        }
        Ok(Framework {
            id: file.id,
            name: file.name,
            version: file.version,
            description: file.description,
            requirements: file.requirements,
            source: source_name.into(),
            sha256: Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect(),
        })
    }

    /// [`Framework::parse`] for a file someone uploads, checked against the checks
    /// that exist (`known`): every problem is named with its line, not just the first,
    /// so one round fixes them all: duplicate requirement ids and unknown check ids.
    pub fn parse_against(text: &str, source_name: &str, known: &dyn Fn(&str) -> bool) -> Result<Framework, Vec<String>> {
        #[derive(Deserialize)]
        struct Lines {
            #[serde(default)]
            requirements: Vec<RequirementLines>,
        }
        #[derive(Deserialize)]
        struct RequirementLines {
            id: Option<toml::Spanned<String>>,
            #[serde(default)]
            checks: Vec<toml::Spanned<String>>,
        }
        let line = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
        let mut problems = Vec::new();
        if let Ok(file) = toml::from_str::<Lines>(text) {
            let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
            for r in &file.requirements {
                if let Some(id) = &r.id {
                    let at = line(id.span().start);
                    if let Some(before) = first.insert(id.get_ref(), at) {
                        first.insert(id.get_ref(), before);
                        problems.push(format!("{source_name}:{at}: duplicate requirement id {} (first at line {before})", id.get_ref()));
                    }
                }
                for c in &r.checks {
                    if !c.get_ref().is_empty() && !known(c.get_ref()) {
                        let rid = r.id.as_ref().map(|i| i.get_ref().as_str()).unwrap_or("?");
                        problems.push(format!(
                            "{source_name}:{}: requirement {rid} names check `{}`, which is neither a built-in check nor one of this tenant's enabled plugins",
                            line(c.span().start),
                            c.get_ref()
                        ));
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Framework::parse(text, source_name).map_err(|e| vec![e.to_string()])
    }

    /// Loads a framework file from disk.
    pub fn load(path: &std::path::Path) -> Result<Framework, FrameworkError> {
        let text = std::fs::read_to_string(path).map_err(|source| FrameworkError::Io { path: path.to_path_buf(), source })?;
        Framework::parse(&text, &path.display().to_string())
    }

    /// Refuses a framework that names checks `known` does not contain.
    pub fn check_known(&self, known: &dyn Fn(&str) -> bool) -> Result<(), FrameworkError> {
        for r in &self.requirements {
            if let Some(c) = r.checks.iter().find(|c| !known(c)) {
                return Err(FrameworkError::UnknownCheck { source_name: self.source.clone(), requirement: r.id.clone(), check: c.clone() });
            }
        }
        Ok(())
    }

    /// Every check the framework uses.
    pub fn checks(&self) -> impl Iterator<Item = &str> {
        self.requirements.iter().flat_map(|r| r.checks.iter().map(String::as_str))
    }

    /// Why requirement `id` cannot be attested, as `requirement: ...` (there is none by
    /// that id, or checks decide it); `None` for a manual requirement.
    pub fn unattestable(&self, id: &str) -> Option<String> {
        match self.requirements.iter().find(|r| r.id == id) {
            None => Some(format!("requirement: no requirement \"{id}\" in {}", self.id)),
            Some(r) if !r.checks.is_empty() => Some(format!(
                "requirement: {id} of {} is decided by checks ({}); attest manual requirements only",
                self.id,
                r.checks.join(", ")
            )),
            Some(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "id = \"x\"\nname = \"X\"\nversion = \"1\"\n[[requirements]]\nid = \"1.1\"\ntitle = \"T\"\nchecks = [\"a_b\"]\n";

    #[test]
    fn parses_and_hashes() {
        let f = Framework::parse(OK, "x.toml").unwrap();
        assert_eq!(f.requirements[0].checks, vec!["a_b"]);
        assert_eq!(f.sha256.len(), 64);
    }

    #[test]
    fn errors_name_the_file_and_field() {
        let cases = [
            (OK.replace("checks = [\"a_b\"]", "checks = [\"A-B\"]"), "x.toml: requirements[0].checks[0]"),
            (OK.replace("id = \"x\"", "id = \"X Y\""), "x.toml: id:"),
            (OK.replace("title = \"T\"", "title = \"\""), "requirements[0].title"),
            (OK.replace("checks = [\"a_b\"]\n", ""), "missing field `checks`"),
            (OK.replace("title", "titel"), "unknown field `titel`"),
            (
                OK.replace("checks =", "assessment = \"sometimes\"\nchecks ="),
                "requirements[0].assessment: expected \"automated\" or \"manual\"",
            ),
            (format!("{OK}[[requirements]]\nid = \"1.1\"\ntitle = \"U\"\nchecks = []\n"), "duplicate requirement id 1.1"),
        ];
        for (text, want) in cases {
            let e = Framework::parse(&text, "x.toml").unwrap_err().to_string();
            assert!(e.contains(want), "wanted {want:?} in {e:?}");
        }
    }

    #[test]
    fn an_upload_names_every_unknown_check_and_duplicate_with_its_line() {
        let text = format!("{OK}[[requirements]]\nid = \"1.1\"\ntitle = \"U\"\nchecks = [\"a_b\", \"nope\", \"also_not\"]\n");
        let problems = Framework::parse_against(&text, "mine.toml", &|c| c == "a_b").unwrap_err();
        assert_eq!(
            problems,
            [
                "mine.toml:9: duplicate requirement id 1.1 (first at line 5)",
                "mine.toml:11: requirement 1.1 names check `nope`, which is neither a built-in check nor one of this tenant's enabled plugins",
                "mine.toml:11: requirement 1.1 names check `also_not`, which is neither a built-in check nor one of this tenant's enabled plugins",
            ]
        );
        assert_eq!(Framework::parse_against(OK, "ok.toml", &|c| c == "a_b").unwrap().requirements.len(), 1);
        let syntax = Framework::parse_against("id = ", "bad.toml", &|_| true).unwrap_err();
        assert!(syntax.len() == 1 && syntax[0].starts_with("bad.toml: ") && syntax[0].contains("line 1"), "{syntax:?}");
    }

    #[test]
    fn unknown_checks_are_refused() {
        let f = Framework::parse(OK, "x.toml").unwrap();
        assert!(f.check_known(&|c| c == "a_b").is_ok());
        let e = f.check_known(&|_| false).unwrap_err().to_string();
        assert!(e.contains("requirement 1.1 names check `a_b`"), "{e}");
    }
}
