//! The exceptions file (`securebase scan --exceptions exceptions.toml`): `[[exception]]`
//! tables, each checked whole, every problem named with its line.

use crate::{DEFAULT_MAX_DAYS, Exception};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Why an exceptions file cannot be used: every problem, each with its line.
#[derive(Debug, thiserror::Error)]
#[error("{}", .problems.join("\n"))]
pub struct FileError {
    /// `path:line: exception N: field: what is wrong`.
    pub problems: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    exception: Vec<toml::Spanned<Entry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: Option<String>,
    check: Option<String>,
    account: Option<String>,
    region: Option<String>,
    resource: Option<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    justification: Option<String>,
    approved_by: Option<String>,
    /// A quoted date or a TOML date literal.
    expires: Option<toml::Value>,
    ticket: Option<String>,
}

/// Parses and checks an exceptions file as of `now` (Unix seconds). `check_known`
/// says whether a check id exists. An entry whose expiry has passed is not an error:
/// it is returned like the others, and the [`crate::Register`] reports it as expired.
pub fn parse_file(text: &str, path: &str, now: i64, check_known: &dyn Fn(&str) -> bool) -> Result<Vec<Exception>, FileError> {
    let file: File = toml::from_str(text).map_err(|e| FileError { problems: vec![format!("{path}: {}", e.to_string().trim_end())] })?;
    let line = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let mut problems = vec![];
    let mut out: Vec<Exception> = vec![];
    for (n, spanned) in file.exception.into_iter().enumerate() {
        let at = line(spanned.span().start);
        let e = spanned.into_inner();
        let expires = match e.expires {
            Some(toml::Value::String(s)) => s,
            Some(toml::Value::Datetime(d)) => d.to_string(),
            Some(other) => format!("{other}"),
            None => String::new(),
        };
        let exception = Exception {
            id: e.id.unwrap_or_else(|| format!("E{}", n + 1)),
            check: e.check.unwrap_or_default(),
            account: e.account,
            region: e.region,
            resource: e.resource,
            tags: e.tags,
            justification: e.justification.unwrap_or_default(),
            approved_by: e.approved_by.unwrap_or_default(),
            expires,
            created_by: Some(path.to_string()),
            ticket: e.ticket,
        };
        let name = format!("{path}:{at}: exception {} ({})", n + 1, exception.id);
        let mut own = exception.problems(now, DEFAULT_MAX_DAYS, true);
        if exception.expires.is_empty() {
            own.retain(|p| !p.starts_with("expires:"));
            own.push("expires: required (the last day the risk is accepted, YYYY-MM-DD)".into());
        }
        if !exception.check.is_empty() && exception.check != "*" && !check_known(&exception.check) {
            own.push(format!("check: no check \"{}\" (see `securebase plugins`; \"*\" for every check)", exception.check));
        }
        if let Some(first) = out.iter().position(|o| o.id == exception.id) {
            own.push(format!("id: \"{}\" is also exception {}'s", exception.id, first + 1));
        }
        problems.extend(own.into_iter().map(|p| format!("{name}: {p}")));
        out.push(exception);
    }
    if problems.is_empty() { Ok(out) } else { Err(FileError { problems }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_299_200; // 2026-12-03T12:00:00Z

    fn known(c: &str) -> bool {
        c.starts_with("s3_")
    }

    #[test]
    fn reads_the_documented_example() {
        let text = r#"
[[exception]]
check = "s3_bucket_no_mfa_delete"
account = "333333333333"
resource = "acme-security-access-logs"
justification = "Log bucket is write-once via Object Lock; MFA delete adds nothing."
approved_by = "ciso@acme-health.example"
expires = "2027-06-30"

[[exception]]
id = "RISK-7"
check = "*"
tags = { accepted-risk = "*" }
justification = "Break-glass role, reviewed monthly."
approved_by = "ciso@acme-health.example"
expires = 2027-03-31
ticket = "https://jira.example/RISK-7"
"#;
        let all = parse_file(text, "exceptions.toml", NOW, &known).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].id.as_str(), all[0].expires.as_str()), ("E1", "2027-06-30"));
        assert_eq!(all[0].created_by.as_deref(), Some("exceptions.toml"));
        assert_eq!((all[1].id.as_str(), all[1].expires.as_str()), ("RISK-7", "2027-03-31"), "a TOML date literal");
        assert_eq!(all[1].tags.get("accepted-risk").map(String::as_str), Some("*"));
    }

    #[test]
    fn every_problem_is_named_with_its_line() {
        let text = r#"[[exception]]
check = "s3_bucket_no_mfa_delete"
approved_by = "ciso@acme-health.example"
expires = "2027-06-30"

[[exception]]
check = "no_such_check"
justification = "x"
approved_by = "y"
"#;
        let e = parse_file(text, "ex.toml", NOW, &known).unwrap_err();
        assert_eq!(
            e.problems,
            vec![
                "ex.toml:1: exception 1 (E1): justification: required (why the risk is accepted)",
                "ex.toml:6: exception 2 (E2): expires: required (the last day the risk is accepted, YYYY-MM-DD)",
                "ex.toml:6: exception 2 (E2): check: no check \"no_such_check\" (see `securebase plugins`; \"*\" for every check)",
            ]
        );
        let e = parse_file("[[exception]]\nchek = \"x\"\n", "ex.toml", NOW, &known).unwrap_err();
        assert!(e.problems[0].starts_with("ex.toml: ") && e.problems[0].contains("chek"), "{e}");
    }

    #[test]
    fn an_entry_that_has_expired_since_it_was_written_is_read() {
        let text = "[[exception]]\ncheck = \"s3_x\"\njustification = \"j\"\napproved_by = \"a\"\nexpires = \"2026-01-31\"\n";
        let all = parse_file(text, "ex.toml", NOW, &known).unwrap();
        assert!(all[0].expired_at(NOW));
    }
}
