//! A plugin's fixtures run through the real sandbox.
//!
//! The format is the built-in plugins' (`plugins/<p>/fixtures/<check>/*.json`, see
//! `plugins/sdk/src/testing.rs`): a snapshot account file with one more key, `expect`,
//! the status each resource must get from the check its folder names. Unlike the SDK's
//! native test, this runs the built component, so what passes here is what the service
//! will run: same limits, same validation of findings, with the fuel each call used.

use securebase_inventory::AccountInventory;
pub use securebase_plugin_sdk::testing::{Case, missing_cases};
use securebase_runtime::{LoadedPlugin, Runtime, Status};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A fixture set that cannot be run; each names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The folder or file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A fixture file is not a fixture.
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the field.
        message: String,
    },
    /// A folder names a check the plugin does not have.
    #[error("{path}: names check `{check}`, which the plugin does not have (its checks: {known}); rename the folder after a check id")]
    UnknownCheck {
        /// The folder.
        path: PathBuf,
        /// The folder's name.
        check: String,
        /// The plugin's check ids.
        known: String,
    },
    /// Nothing to run.
    #[error("{0}: no fixtures; put them in <check id>/*.json under it (securebase plugin new makes an example)")]
    Empty(PathBuf),
}

/// One fixture file.
#[derive(Debug)]
pub struct Fixture {
    /// The file.
    pub path: PathBuf,
    /// The check its folder names.
    pub check: String,
    /// Its account.
    pub account: Arc<AccountInventory>,
    /// Resource id to the status it must get.
    pub expect: BTreeMap<String, Status>,
}

/// Reads every fixture under `dir` (`<check id>/*.json`), in name order, refusing a
/// folder that names none of `plugin`'s checks.
pub fn load(dir: &Path, plugin: &LoadedPlugin) -> Result<Vec<Fixture>, FixtureError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FixtureError::Io { path, source }
    };
    let checks: Vec<&str> = plugin.info().checks.iter().map(|c| c.id.as_str()).collect();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir).map_err(io(dir))?.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    folders.sort();
    let mut fixtures = Vec::new();
    for folder in folders {
        let check = folder.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if !checks.contains(&check.as_str()) {
            return Err(FixtureError::UnknownCheck { path: folder, check, known: checks.join(", ") });
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(io(&folder))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for path in files {
            fixtures.push(read(&path, &check)?);
        }
    }
    if fixtures.is_empty() {
        return Err(FixtureError::Empty(dir.to_path_buf()));
    }
    Ok(fixtures)
}

/// One fixture file, read as the built-in plugins' native test reads it.
fn read(path: &Path, check: &str) -> Result<Fixture, FixtureError> {
    let fixture = securebase_plugin_sdk::testing::load_fixture(path).map_err(|message| {
        // The SDK's messages start with the file's name; ours carry it as a field.
        let prefix = format!("{}: ", path.display());
        let message = message.strip_prefix(&prefix).map(str::to_string).unwrap_or(message);
        FixtureError::Malformed { path: path.to_path_buf(), message }
    })?;
    Ok(Fixture { path: path.to_path_buf(), check: check.to_string(), account: fixture.account, expect: fixture.expect })
}

/// What one fixture gave.
#[derive(Debug)]
pub struct Outcome {
    /// The file.
    pub path: PathBuf,
    /// The check.
    pub check: String,
    /// Resource id to expected status.
    pub expected: BTreeMap<String, Status>,
    /// Resource id to the status the check gave (its findings only).
    pub actual: BTreeMap<String, Status>,
    /// The plugin's error for this account, if the call failed.
    pub error: Option<String>,
    /// Fuel the call used, and the limit it ran under.
    pub fuel_used: u64,
    /// The per-call fuel limit.
    pub fuel_limit: u64,
    /// Wall time of the call.
    pub duration: Duration,
    /// What the plugin logged.
    pub log: Vec<String>,
}

impl Outcome {
    /// Whether the check gave every resource exactly the expected status.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.actual == self.expected
    }

    /// Resource by resource, what differs: `(resource, expected, actual)`, `None` where
    /// there is no status.
    pub fn differences(&self) -> Vec<(String, Option<Status>, Option<Status>)> {
        let ids: std::collections::BTreeSet<&String> = self.expected.keys().chain(self.actual.keys()).collect();
        ids.into_iter()
            .filter_map(|id| {
                let (e, a) = (self.expected.get(id).copied(), self.actual.get(id).copied());
                (e != a).then(|| (id.clone(), e, a))
            })
            .collect()
    }
}

/// Runs each fixture's account through `plugin` in `runtime`'s sandbox.
pub fn run(runtime: &Runtime, plugin: &LoadedPlugin, fixtures: &[Fixture]) -> Vec<Outcome> {
    fixtures
        .iter()
        .map(|f| {
            let evaluation = runtime.evaluate(plugin, &f.account);
            let (actual, error) = match evaluation.result {
                Ok(findings) => (findings.into_iter().filter(|x| x.check_id == f.check).map(|x| (x.resource_id, x.status)).collect(), None),
                Err(e) => (BTreeMap::new(), Some(e.to_string())),
            };
            Outcome {
                path: f.path.clone(),
                check: f.check.clone(),
                expected: f.expect.clone(),
                actual,
                error,
                fuel_used: evaluation.fuel_used,
                fuel_limit: runtime.limits().fuel,
                duration: evaluation.duration,
                log: evaluation.log,
            }
        })
        .collect()
}
