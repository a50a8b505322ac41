//! Exceptions: accepted risks. An exception names failing findings (by check, account,
//! region, resource id or ARN glob, and tags) with why the risk is accepted, who
//! approved it and until when. A matched failing finding becomes `excepted`, never
//! `pass`: it keeps its original status and the exception's id, and a requirement
//! whose only failures are excepted is `passing_with_exceptions`, shown apart from
//! clean passes everywhere. An exception past its expiry matches nothing, so the
//! finding fails again on the next scan.
//!
//! Exceptions come from a file (`securebase scan --exceptions exceptions.toml`, parsed
//! here with every problem named by its line) or from the service's store; either way
//! they are checked by [`Exception::problems`] and applied through a [`Register`].

mod file;
mod glob;

pub use file::parse_file;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How far ahead an exception may expire by default: accepted risks are reviewed yearly.
pub const DEFAULT_MAX_DAYS: i64 = 366;

/// One accepted risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    /// Its id: given in the file or by the service; `E<n>` for the n-th unnamed file entry.
    pub id: String,
    /// The check it covers, or `*` for every check.
    pub check: String,
    /// Only this account (twelve digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Only this region (`global` for global resources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Only resources whose id or ARN matches this glob (`*` any run, `?` one character).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Only resources carrying every one of these tags (value `*`: any value).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Why the risk is accepted.
    pub justification: String,
    /// Who accepted it.
    pub approved_by: String,
    /// The last day it applies (`YYYY-MM-DD`, UTC); from the next day on it matches nothing.
    pub expires: String,
    /// Who recorded it (the file's path, or the service's actor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// A link to the ticket that tracks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

/// What a finding is, as far as matching an exception goes.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The check.
    pub check_id: &'a str,
    /// The account.
    pub account_id: &'a str,
    /// The region.
    pub region: &'a str,
    /// The resource's id.
    pub resource_id: &'a str,
    /// Its ARN, where it has one.
    pub arn: Option<&'a str>,
    /// Its tags.
    pub tags: &'a [(String, String)],
}

impl Exception {
    /// Whether it covers this finding (whatever the date).
    pub fn covers(&self, s: &Subject<'_>) -> bool {
        (self.check == "*" || self.check == s.check_id)
            && self.account.as_deref().is_none_or(|a| a == s.account_id)
            && self.region.as_deref().is_none_or(|r| r == s.region)
            && self.resource.as_deref().is_none_or(|g| glob::matches(g, s.resource_id) || s.arn.is_some_and(|arn| glob::matches(g, arn)))
            && self.tags.iter().all(|(k, v)| s.tags.iter().any(|(tk, tv)| tk == k && (v == "*" || tv == v)))
    }

    /// The first moment it no longer applies (Unix seconds): midnight UTC after `expires`.
    pub fn ends_at(&self) -> Option<i64> {
        (self.expires.len() == 10).then(|| securebase_inventory::time::parse_rfc3339(&self.expires)).flatten().map(|d| d + 86_400)
    }

    /// Whether it has expired at `now` (Unix seconds).
    pub fn expired_at(&self, now: i64) -> bool {
        self.ends_at().is_none_or(|end| now >= end)
    }

    /// Each problem with it as `field: what is wrong`, for an exception being recorded at
    /// `now`: required fields, the forms of ids and dates, an expiry no more than
    /// `max_days` ahead. `allow_past`: an expiry in the past is not a problem (a file
    /// written earlier; it is then reported as expired instead).
    pub fn problems(&self, now: i64, max_days: i64, allow_past: bool) -> Vec<String> {
        let mut out = vec![];
        if self.check.trim().is_empty() {
            out.push("check: required (a check id, or \"*\" for every check)".to_string());
        }
        if let Some(a) = &self.account
            && !securebase_inventory::is_account_id(a)
        {
            out.push(format!("account: \"{a}\" is not an account id (twelve digits)"));
        }
        for (field, value) in [("region", &self.region), ("resource", &self.resource)] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                out.push(format!("{field}: empty; leave it out to match every {field}"));
            }
        }
        if self.justification.trim().is_empty() {
            out.push("justification: required (why the risk is accepted)".into());
        }
        if self.approved_by.trim().is_empty() {
            out.push("approved_by: required (who accepted the risk)".into());
        }
        match self.ends_at() {
            None => out.push(format!("expires: \"{}\" is not a date (YYYY-MM-DD)", self.expires)),
            Some(end) if end <= now && !allow_past => out.push(format!("expires: {} is in the past", self.expires)),
            Some(end) if end - 86_400 > now + max_days * 86_400 => out
                .push(format!("expires: {} is more than {max_days} days ahead; accepted risks are reviewed at least yearly", self.expires)),
            Some(_) => {}
        }
        out
    }
}

/// The exceptions of one scan, as of its start: which apply, which have expired.
#[derive(Debug, Clone, Default)]
pub struct Register {
    entries: Vec<(Exception, bool)>,
}

impl Register {
    /// The exceptions as of `now` (Unix seconds): an expired one is kept (to be reported)
    /// but matches nothing.
    pub fn new(exceptions: Vec<Exception>, now: i64) -> Self {
        Self {
            entries: exceptions
                .into_iter()
                .map(|e| {
                    let expired = e.expired_at(now);
                    (e, expired)
                })
                .collect(),
        }
    }

    /// The first unexpired exception that covers this finding.
    pub fn find(&self, s: &Subject<'_>) -> Option<&Exception> {
        self.entries.iter().find(|(e, expired)| !expired && e.covers(s)).map(|(e, _)| e)
    }

    /// Every exception with whether it has expired.
    pub fn entries(&self) -> impl Iterator<Item = (&Exception, bool)> {
        self.entries.iter().map(|(e, x)| (e, *x))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i64 {
        securebase_inventory::time::parse_rfc3339(s).unwrap()
    }

    fn exception() -> Exception {
        Exception {
            id: "E1".into(),
            check: "s3_bucket_no_mfa_delete".into(),
            account: Some("333333333333".into()),
            region: None,
            resource: Some("acme-security-*".into()),
            tags: BTreeMap::new(),
            justification: "Object Lock".into(),
            approved_by: "ciso@acme-health.example".into(),
            expires: "2027-06-30".into(),
            created_by: None,
            ticket: None,
        }
    }

    fn subject<'a>(check: &'a str, account: &'a str, id: &'a str, tags: &'a [(String, String)]) -> Subject<'a> {
        Subject { check_id: check, account_id: account, region: "us-east-1", resource_id: id, arn: None, tags }
    }

    #[test]
    fn covers_by_check_account_resource_glob_arn_and_tags() {
        let e = exception();
        assert!(e.covers(&subject("s3_bucket_no_mfa_delete", "333333333333", "acme-security-access-logs", &[])));
        assert!(!e.covers(&subject("s3_bucket_no_mfa_delete", "111111111111", "acme-security-access-logs", &[])), "another account");
        assert!(!e.covers(&subject("s3_bucket_default_encryption", "333333333333", "acme-security-access-logs", &[])), "another check");
        assert!(!e.covers(&subject("s3_bucket_no_mfa_delete", "333333333333", "acme-prod-logs", &[])), "the glob");
        let mut by_arn = e.clone();
        by_arn.resource = Some("arn:aws:s3:::acme-*".into());
        let mut s = subject("s3_bucket_no_mfa_delete", "333333333333", "acme-prod-logs", &[]);
        assert!(!by_arn.covers(&s));
        s.arn = Some("arn:aws:s3:::acme-prod-logs");
        assert!(by_arn.covers(&s), "a glob on the ARN");

        let mut by_tag = exception();
        by_tag.check = "*".into();
        by_tag.resource = None;
        by_tag.tags = [("accepted-risk".to_string(), "*".to_string())].into();
        let tagged = [("accepted-risk".to_string(), "RISK-12".to_string())];
        assert!(by_tag.covers(&subject("any_check", "333333333333", "x", &tagged)));
        assert!(!by_tag.covers(&subject("any_check", "333333333333", "x", &[])));
        by_tag.tags = [("accepted-risk".to_string(), "RISK-13".to_string())].into();
        assert!(!by_tag.covers(&subject("any_check", "333333333333", "x", &tagged)), "another tag value");
    }

    #[test]
    fn an_exception_applies_through_its_expiry_day_and_not_after() {
        let e = exception();
        assert!(!e.expired_at(day("2027-06-30T23:59:59Z")));
        assert!(e.expired_at(day("2027-07-01T00:00:00Z")));
        let r = Register::new(vec![e.clone()], day("2027-07-01T00:00:00Z"));
        let s = subject("s3_bucket_no_mfa_delete", "333333333333", "acme-security-access-logs", &[]);
        assert!(r.find(&s).is_none(), "an expired exception matches nothing");
        assert_eq!(r.entries().filter(|(_, expired)| *expired).count(), 1, "but is still listed");
        let r = Register::new(vec![e], day("2027-01-01T00:00:00Z"));
        assert_eq!(r.find(&s).map(|e| e.id.as_str()), Some("E1"));
    }

    #[test]
    fn problems_name_the_field() {
        let now = day("2026-12-03T12:00:00Z");
        assert_eq!(exception().problems(now, DEFAULT_MAX_DAYS, false), Vec::<String>::new());
        let mut e = exception();
        e.justification = " ".into();
        e.account = Some("3333".into());
        e.expires = "2026-12-02".into();
        let p = e.problems(now, DEFAULT_MAX_DAYS, false);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("account: \"3333\""), "{p:?}");
        assert!(p[1].starts_with("justification: required"), "{p:?}");
        assert!(p[2].starts_with("expires: 2026-12-02 is in the past"), "{p:?}");
        assert_eq!(e.problems(now, DEFAULT_MAX_DAYS, true).len(), 2, "a past expiry is allowed in a file");
        e = exception();
        e.expires = "2028-01-01".into();
        assert!(e.problems(now, DEFAULT_MAX_DAYS, false)[0].contains("more than 366 days ahead"));
        e.expires = "30/06/2027".into();
        assert!(e.problems(now, DEFAULT_MAX_DAYS, false)[0].contains("is not a date (YYYY-MM-DD)"));
    }
}
