//! The attestations file (`securebase scan --attestations attestations.toml`):
//! `[[attestation]]` tables, each checked whole against the catalogue, its evidence
//! files read (relative to the file) and identified, every problem named with its line.

use crate::{Attestation, Evidence};
use serde::Deserialize;
use std::path::Path;

/// Why an attestations file cannot be used: every problem, each with its line.
#[derive(Debug, thiserror::Error)]
#[error("{}", .problems.join("\n"))]
pub struct FileError {
    /// `path:line: attestation N: field: what is wrong`.
    pub problems: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    attestation: Vec<toml::Spanned<Entry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: Option<String>,
    framework: Option<String>,
    requirement: Option<String>,
    statement: Option<String>,
    attested_by: Option<String>,
    valid_from: Option<toml::Value>,
    valid_until: Option<toml::Value>,
    #[serde(default)]
    evidence: Vec<String>,
}

fn date(v: Option<toml::Value>) -> Option<String> {
    v.map(|v| match v {
        toml::Value::String(s) => s,
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    })
}

/// Parses and checks an attestations file at `path`. `today` (`YYYY-MM-DD`) is the
/// default `valid_from`; `requirement` says why a (framework, requirement) pair cannot
/// be attested (unknown, or decided by checks), `None` when it can; evidence files over
/// `max_bytes` are refused. An attestation whose period has ended is not an error.
pub fn parse_file(
    text: &str,
    path: &Path,
    today: &str,
    requirement: &dyn Fn(&str, &str) -> Option<String>,
    max_bytes: u64,
) -> Result<Vec<Attestation>, FileError> {
    let shown = path.display().to_string();
    let file: File = toml::from_str(text).map_err(|e| FileError { problems: vec![format!("{shown}: {}", e.to_string().trim_end())] })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let line = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let (mut problems, mut out) = (vec![], vec![]);
    for (n, spanned) in file.attestation.into_iter().enumerate() {
        let at = line(spanned.span().start);
        let e = spanned.into_inner();
        let mut a = Attestation {
            id: e.id.unwrap_or_else(|| format!("A{}", n + 1)),
            framework: e.framework.unwrap_or_default(),
            requirement: e.requirement.unwrap_or_default(),
            statement: e.statement.unwrap_or_default(),
            attested_by: e.attested_by.unwrap_or_default(),
            valid_from: date(e.valid_from).unwrap_or_else(|| today.to_string()),
            valid_until: date(e.valid_until).unwrap_or_default(),
            evidence: vec![],
        };
        let mut own = a.problems();
        if !a.framework.is_empty()
            && !a.requirement.is_empty()
            && let Some(why) = requirement(&a.framework, &a.requirement)
        {
            own.push(why);
        }
        for (i, rel) in e.evidence.iter().enumerate() {
            let file = base.join(rel);
            match std::fs::metadata(&file) {
                Err(err) => own.push(format!("evidence[{i}]: {}: {err}", file.display())),
                Ok(m) if m.len() > max_bytes => own.push(format!(
                    "evidence[{i}]: {} is {:.1} MiB, over the {:.0} MiB cap for one evidence file",
                    file.display(),
                    m.len() as f64 / f64::from(1 << 20),
                    max_bytes as f64 / f64::from(1 << 20)
                )),
                Ok(_) => match std::fs::read(&file) {
                    Ok(bytes) => {
                        let name = Path::new(rel).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| rel.clone());
                        a.evidence.push(Evidence::of(&name, &bytes));
                    }
                    Err(err) => own.push(format!("evidence[{i}]: {}: {err}", file.display())),
                },
            }
        }
        let name = format!("{shown}:{at}: attestation {} ({})", n + 1, a.id);
        problems.extend(own.into_iter().map(|p| format!("{name}: {p}")));
        out.push(a);
    }
    if problems.is_empty() { Ok(out) } else { Err(FileError { problems }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue(framework: &str, requirement: &str) -> Option<String> {
        match (framework, requirement) {
            ("hipaa", "164.308(a)(7)(i)") => None,
            ("hipaa", "164.312(c)(2)") => Some("requirement: 164.312(c)(2) is decided by checks; attest manual requirements only".into()),
            ("hipaa", r) => Some(format!("requirement: no requirement \"{r}\" in hipaa")),
            (f, _) => Some(format!("framework: no framework \"{f}\"")),
        }
    }

    #[test]
    fn reads_entries_and_identifies_their_evidence() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("evidence")).unwrap();
        std::fs::write(dir.path().join("evidence/plan.pdf"), b"%PDF-1.7 plan").unwrap();
        let text = r#"
[[attestation]]
framework = "hipaa"
requirement = "164.308(a)(7)(i)"
statement = "The contingency plan was tested."
attested_by = "ciso@acme-health.example"
valid_until = 2027-10-13
evidence = ["./evidence/plan.pdf"]
"#;
        let path = dir.path().join("attestations.toml");
        let all = parse_file(text, &path, "2026-12-03", &catalogue, 1 << 20).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!((all[0].id.as_str(), all[0].valid_from.as_str(), all[0].valid_until.as_str()), ("A1", "2026-12-03", "2027-10-13"));
        assert_eq!(all[0].evidence, [Evidence::of("plan.pdf", b"%PDF-1.7 plan")]);
    }

    #[test]
    fn every_problem_is_named_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big.bin"), vec![0u8; 2048]).unwrap();
        let text = r#"[[attestation]]
framework = "hipaa"
requirement = "164.312(c)(2)"
statement = "s"
attested_by = "a"
valid_until = "2027-01-01"

[[attestation]]
framework = "hipaa"
requirement = "9.9.9"
attested_by = "a"
valid_until = "2027-01-01"
evidence = ["missing.pdf", "big.bin"]
"#;
        let e = parse_file(text, &dir.path().join("att.toml"), "2026-12-03", &catalogue, 1024).unwrap_err();
        assert_eq!(e.problems.len(), 5, "{e}");
        assert!(
            e.problems[0].ends_with(
                "att.toml:1: attestation 1 (A1): requirement: 164.312(c)(2) is decided by checks; attest manual requirements only"
            ),
            "{e}"
        );
        assert!(e.problems[1].ends_with("att.toml:8: attestation 2 (A2): statement: required (what is attested)"), "{e}");
        assert!(e.problems[2].ends_with("attestation 2 (A2): requirement: no requirement \"9.9.9\" in hipaa"), "{e}");
        assert!(e.problems[3].contains("evidence[0]: ") && e.problems[3].contains("missing.pdf"), "{e}");
        assert!(e.problems[4].contains("evidence[1]: ") && e.problems[4].contains("over the 0 MiB cap"), "{e}");
    }
}
