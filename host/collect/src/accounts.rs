//! The accounts file: which accounts to collect, in which regions, through which role.
//!
//! ```toml
//! [defaults]
//! regions = ["us-east-1", "eu-west-1"]
//!
//! [[account]]
//! id = "111122223333"
//! name = "production"
//! role_arn = "arn:aws:iam::111122223333:role/SecureBaseReadOnly"
//! external_id = "7c1e..."          # optional; never logged
//! regions = ["us-east-1"]          # optional; else the defaults
//!
//! # Or, instead of (or besides) listing accounts: every active account of the
//! # organization the default credentials (the management or a delegated
//! # administrator account) can list, each through the same role name.
//! [organization]
//! role_name = "SecureBaseReadOnly"
//! external_id = "7c1e..."          # optional
//! exclude = ["999999999999"]       # optional
//! ```

use serde::Deserialize;
use std::fmt;

/// A bad accounts file: which file, which field, what was expected.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct AccountsError {
    /// The file.
    pub origin: String,
    /// What is wrong, naming the field.
    pub message: String,
}

/// One account to collect.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Twelve digits.
    pub id: String,
    /// A display name.
    #[serde(default)]
    pub name: Option<String>,
    /// The read-only role to assume; the default credential chain is used as is without it.
    #[serde(default)]
    pub role_arn: Option<String>,
    /// The external id the role's trust policy requires.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Regions to collect; the file's defaults if empty.
    #[serde(default)]
    pub regions: Vec<String>,
}

impl fmt::Debug for Account {
    // The external id is a shared secret of the trust relationship: never in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("role_arn", &self.role_arn)
            .field("external_id", &self.external_id.as_ref().map(|_| "***"))
            .field("regions", &self.regions)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Defaults {
    #[serde(default)]
    regions: Vec<String>,
}

/// Discovery from AWS Organizations.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// The role assumed in every member account (`arn:aws:iam::ID:role/NAME`).
    pub role_name: String,
    /// The external id its trust policy requires.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Accounts not to collect.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Regions for discovered accounts; the file's defaults if empty.
    #[serde(default)]
    pub regions: Vec<String>,
}

impl fmt::Debug for Organization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Organization")
            .field("role_name", &self.role_name)
            .field("external_id", &self.external_id.as_ref().map(|_| "***"))
            .field("exclude", &self.exclude)
            .field("regions", &self.regions)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    defaults: Option<Defaults>,
    #[serde(default)]
    account: Vec<Account>,
    #[serde(default)]
    organization: Option<Organization>,
}

/// The parsed file, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountsFile {
    /// In file order.
    pub accounts: Vec<Account>,
    /// Discovery from AWS Organizations, if asked for (see [`crate::discover`]).
    pub organization: Option<Organization>,
}

/// Whether `r` looks like an AWS region name (`us-east-1`, `ap-southeast-2`).
pub fn is_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks that a role ARN names a role of `account`; the error says what was expected.
pub fn check_role_arn(account: &str, arn: &str) -> Result<(), String> {
    let prefix = format!("arn:aws:iam::{account}:role/");
    if !arn.starts_with(&prefix) || arn.len() == prefix.len() {
        return Err(format!("expected {prefix}<role name>, found {arn:?}"));
    }
    Ok(())
}

impl AccountsFile {
    /// Parses an accounts file; `origin` (its path) prefixes every error.
    pub fn parse(text: &str, origin: &str) -> Result<Self, AccountsError> {
        let err = |message: String| AccountsError { origin: origin.into(), message };
        let raw: Raw = toml::from_str(text).map_err(|e| err(e.to_string().trim_end().to_string()))?;
        let defaults = raw.defaults.map(|d| d.regions).unwrap_or_default();
        if raw.account.is_empty() && raw.organization.is_none() {
            return Err(err("no [[account]] entries and no [organization]: name at least one account, or discover them".into()));
        }
        let organization = match raw.organization {
            Some(mut o) => {
                if o.role_name.is_empty() || o.role_name.contains(['/', ':']) {
                    return Err(err(format!(
                        "organization.role_name: expected a role name (like SecureBaseReadOnly), found {:?}",
                        o.role_name
                    )));
                }
                if let Some(x) = o.exclude.iter().find(|x| !securebase_inventory::is_account_id(x)) {
                    return Err(err(format!("organization.exclude: expected 12-digit account ids, found {x:?}")));
                }
                if o.regions.is_empty() {
                    o.regions.clone_from(&defaults);
                }
                if o.regions.is_empty() {
                    return Err(err("organization.regions: none given and no [defaults] regions".into()));
                }
                if let Some(r) = o.regions.iter().find(|r| !is_region(r)) {
                    return Err(err(format!("organization.regions: {r:?} is not an AWS region name (like us-east-1)")));
                }
                Some(o)
            }
            None => None,
        };
        let mut seen = std::collections::HashSet::new();
        let mut accounts = vec![];
        for (i, mut a) in raw.account.into_iter().enumerate() {
            let at = format!("account[{i}]");
            if !securebase_inventory::is_account_id(&a.id) {
                return Err(err(format!("{at}.id: expected 12 digits, found {:?}", a.id)));
            }
            if !seen.insert(a.id.clone()) {
                return Err(err(format!("{at}.id: account {} is listed twice", a.id)));
            }
            if a.regions.is_empty() {
                a.regions.clone_from(&defaults);
            }
            if a.regions.is_empty() {
                return Err(err(format!("{at}.regions: none given and no [defaults] regions")));
            }
            if let Some(r) = a.regions.iter().find(|r| !is_region(r)) {
                return Err(err(format!("{at}.regions: {r:?} is not an AWS region name (like us-east-1)")));
            }
            if let Some(arn) = &a.role_arn {
                check_role_arn(&a.id, arn).map_err(|m| err(format!("{at}.role_arn: {m}")))?;
            }
            accounts.push(a);
        }
        Ok(Self { accounts, organization })
    }

    /// Reads and parses a file.
    pub fn load(path: &std::path::Path) -> Result<Self, AccountsError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| AccountsError { origin: origin.clone(), message: e.to_string() })?;
        Self::parse(&text, &origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_errors_name_the_field() {
        let f = AccountsFile::parse(
            "[defaults]\nregions = [\"us-east-1\"]\n[[account]]\nid = \"111122223333\"\nexternal_id = \"s3cret\"\n\
             [[account]]\nid = \"444455556666\"\nregions = [\"eu-west-1\"]\n",
            "a.toml",
        )
        .unwrap();
        assert_eq!(f.accounts[0].regions, ["us-east-1"]);
        assert_eq!(f.accounts[1].regions, ["eu-west-1"]);
        assert!(!format!("{:?}", f.accounts[0]).contains("s3cret"), "the external id never reaches a log");
        for (text, expected) in [
            ("[[account]]\nid = \"12\"\nregions = [\"us-east-1\"]\n", "a.toml: account[0].id: expected 12 digits"),
            ("[[account]]\nid = \"111122223333\"\n", "account[0].regions: none given"),
            ("[[account]]\nid = \"111122223333\"\nregions = [\"mars\"]\n", "\"mars\" is not an AWS region"),
            (
                "[[account]]\nid = \"111122223333\"\nregions = [\"us-east-1\"]\nrole_arn = \"arn:aws:iam::999999999999:role/x\"\n",
                "role_arn",
            ),
            ("[[account]]\nid = \"111122223333\"\ncolour = 1\n", "unknown field `colour`"),
            ("", "no [[account]] entries"),
            (
                "[defaults]\nregions = [\"us-east-1\"]\n[organization]\nrole_name = \"a/b\"\n",
                "organization.role_name: expected a role name",
            ),
            ("[organization]\nrole_name = \"R\"\n", "organization.regions: none given"),
        ] {
            let e = AccountsFile::parse(text, "a.toml").unwrap_err().to_string();
            assert!(e.contains(expected), "{e}");
        }
    }
}
