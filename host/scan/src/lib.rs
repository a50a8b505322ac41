//! The scan pipeline: evaluate every (account, plugin) pair, validate, score.
//!
//! Evaluation is CPU work and runs on a rayon pool; each (account, plugin) pair is an
//! independent task with its own sandbox store, so one plugin failing on one account
//! is a [`PluginErrorEntry`] in the result and nothing else is lost. Results are
//! gathered per account and scored against every selected framework, per account and
//! for the organization as a whole. I/O (collection) stays outside, on tokio.
//!
//! Evaluating and scoring are also offered apart ([`Scanner::evaluate_accounts`],
//! [`Scanner::assemble`]), so a scan split into batches of accounts is evaluated where
//! each batch is collected and scored once, by the worker that coordinates it.

mod kept;
mod report;
#[cfg(feature = "testing")]
pub mod testing;

pub use kept::{KeptError, KeptInventory};
pub use report::{
    AccountResult, AttestationEntry, CollectionErrorEntry, EngineInfo, EvaluationEntry, ExceptionEntry, FindingEntry, FrameworkEntry,
    FrameworkResult, OrganizationResult, PluginEntry, PluginErrorEntry, RequirementEntry, SCAN_SCHEMA, ScanReport, report_time_ms,
    resource_label,
};

use rayon::prelude::*;
use securebase_inventory::{AccountInventory, ConfigItem, Snapshot};
use securebase_runtime::{ErrorKind, Evaluation, LoadedPlugin, PluginError, Runtime, Status};
use securebase_scoring::{CheckOutcome, Framework, FrameworkError};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Why a scanner could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// Two plugins declare the same check id.
    #[error("check `{check}` is declared by both plugin `{first}` and plugin `{second}`; check ids must be unique")]
    DuplicateCheck {
        /// The check.
        check: String,
        /// One plugin.
        first: String,
        /// The other.
        second: String,
    },
    /// Two plugins have the same name.
    #[error("two plugins are named `{0}`")]
    DuplicatePlugin(String),
    /// A framework names a check no plugin provides.
    #[error(transparent)]
    Framework(#[from] FrameworkError),
    /// A tenant's plugin or framework takes a name the service's own use.
    #[error("tenant {kind} `{name}` has the name of a built-in one")]
    Shadowing {
        /// `plugin` or `framework`.
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// The worker pool could not start.
    #[error("starting {threads} worker threads: {message}")]
    Pool {
        /// Requested threads.
        threads: usize,
        /// Why.
        message: String,
    },
}

/// Progress reports, sent from worker threads as accounts finish.
#[derive(Debug, Clone)]
pub enum Progress {
    /// One account is fully evaluated.
    AccountDone {
        /// Its id.
        account_id: String,
        /// Accounts finished so far.
        done: usize,
        /// Accounts in the scan.
        total: usize,
        /// Its findings.
        findings: usize,
        /// Its failing findings.
        failing: usize,
        /// Plugin evaluations it took (one per plugin).
        evaluations: usize,
    },
}

/// One account evaluated by every plugin of a scan, not yet scored: what a worker that
/// evaluates a batch of a split scan stores for the scan's coordinator, which scores the
/// accounts of all batches together ([`Scanner::assemble`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EvaluatedAccount {
    /// Its result; its `frameworks` are filled in when it is scored.
    pub result: AccountResult,
    /// What its plugins could not evaluate.
    pub plugin_errors: Vec<PluginErrorEntry>,
    /// How each check fared on it, as scoring needs it.
    pub outcomes: BTreeMap<String, CheckOutcome>,
}

/// What one tenant adds to its scans: its own plugins and frameworks, and how much
/// fuel its plugins may burn together in one scan, so that one tenant's heavy plugin
/// cannot hold the shared workers for long.
#[derive(Debug, Default, Clone)]
pub struct Additions {
    /// Its enabled plugins, loaded into the scanner's runtime; run after the built-in ones.
    pub plugins: Vec<Arc<LoadedPlugin>>,
    /// Its frameworks, scored after the built-in ones.
    pub frameworks: Vec<Framework>,
    /// Fuel its plugins may use together in one scan (`None`: the per-call limit only).
    pub fuel_budget: Option<u64>,
    /// Its accepted risks as of the scan's start: matching failing findings are `excepted`.
    pub exceptions: securebase_exceptions::Register,
    /// Its attestations of manual requirements; those valid at the scan's start make
    /// their requirement `attested`.
    pub attestations: Vec<securebase_attestations::Attestation>,
}

/// One scan's plugins, frameworks and budget: the scanner's own plus a tenant's.
struct Plan<'a> {
    plugins: Vec<(&'a LoadedPlugin, bool)>,
    frameworks: Vec<&'a Framework>,
    /// Checks a tenant framework names that no plugin of this scan provides (a plugin
    /// disabled since): undecided, so their requirements read `error`, never passing.
    missing: Vec<String>,
    budget: Option<(u64, std::sync::atomic::AtomicU64)>,
    exceptions: &'a securebase_exceptions::Register,
    attestations: &'a [securebase_attestations::Attestation],
    /// Framework id to the requirement ids attested at the scan's start.
    attested: HashMap<String, std::collections::HashSet<String>>,
}

/// Plugins, frameworks and a worker pool: everything a scan needs but the inventory.
pub struct Scanner {
    runtime: Arc<Runtime>,
    plugins: Vec<LoadedPlugin>,
    frameworks: Vec<Framework>,
    pool: rayon::ThreadPool,
    /// Tenants' plugins compiled in this process, by component SHA-256: compiled once
    /// per worker process, then shared by every scan of their tenant.
    loaded: std::sync::Mutex<HashMap<String, Arc<LoadedPlugin>>>,
    /// Where plugins that are not built-in came from, by SHA-256 (`file` for the CLI's
    /// `--plugin`), for the provenance in the scan document.
    origins: HashMap<String, &'static str>,
}

/// Tenants' compiled plugins kept in memory at most; past it the cache starts over
/// (the runtime's disk cache still spares the compile).
const LOADED_CAP: usize = 64;

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner").field("plugins", &self.plugins.len()).field("frameworks", &self.frameworks.len()).finish()
    }
}

impl Scanner {
    /// Records that the plugin with this SHA-256 is not built-in but came from
    /// `origin` (`file`: a component the user named), as scan documents will say.
    pub fn set_origin(&mut self, sha256: &str, origin: &'static str) {
        self.origins.insert(sha256.to_string(), origin);
    }

    /// Checks that plugin names and check ids are unique and that every framework's
    /// checks are provided, then starts `threads` workers (default: one per core).
    pub fn new(
        runtime: Arc<Runtime>,
        plugins: Vec<LoadedPlugin>,
        frameworks: Vec<Framework>,
        threads: Option<usize>,
    ) -> Result<Self, ScanError> {
        let mut owner: HashMap<&str, &str> = HashMap::new();
        let mut names = std::collections::HashSet::new();
        for p in &plugins {
            if !names.insert(p.info().name.as_str()) {
                return Err(ScanError::DuplicatePlugin(p.info().name.clone()));
            }
            for c in &p.info().checks {
                if let Some(first) = owner.insert(&c.id, &p.info().name) {
                    return Err(ScanError::DuplicateCheck { check: c.id.clone(), first: first.into(), second: p.info().name.clone() });
                }
            }
        }
        for f in &frameworks {
            f.check_known(&|c| owner.contains_key(c))?;
        }
        let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
        // Guest code runs on the worker's native stack: leave room above the wasm stack limit.
        let stack = (runtime.limits().stack_bytes * 4).max(8 << 20);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(stack)
            .thread_name(|i| format!("securebase-eval-{i}"))
            .build()
            .map_err(|e| ScanError::Pool { threads, message: e.to_string() })?;
        Ok(Self { runtime, plugins, frameworks, pool, loaded: Default::default(), origins: HashMap::new() })
    }

    /// The loaded plugins.
    pub fn plugins(&self) -> &[LoadedPlugin] {
        &self.plugins
    }

    /// The runtime plugins are loaded into.
    pub fn runtime(&self) -> &Arc<Runtime> {
        &self.runtime
    }

    /// A tenant plugin this process compiled before, by component SHA-256.
    pub fn loaded_plugin(&self, sha256: &str) -> Option<Arc<LoadedPlugin>> {
        self.loaded.lock().expect("plugin cache lock").get(sha256).cloned()
    }

    /// Compiles a tenant's component (or takes it from the runtime's disk cache),
    /// validates it like any plugin, and keeps it for the next scan. CPU work: call
    /// it off the async runtime.
    pub fn load_plugin(&self, name: &str, wasm: &[u8]) -> Result<Arc<LoadedPlugin>, securebase_runtime::LoadError> {
        let plugin = Arc::new(self.runtime.load(name, wasm)?);
        let mut loaded = self.loaded.lock().expect("plugin cache lock");
        if loaded.len() >= LOADED_CAP {
            loaded.clear();
        }
        loaded.insert(plugin.info().sha256.clone(), plugin.clone());
        Ok(plugin)
    }

    /// The frameworks scored.
    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }

    /// Evaluates every account with every plugin and scores the results.
    pub fn scan(&self, snapshot: Snapshot, progress: &(dyn Fn(Progress) + Sync)) -> ScanReport {
        self.scan_with(snapshot, &Additions::default(), progress).expect("a scan without additions has nothing to refuse")
    }

    /// [`Scanner::scan`] with a tenant's plugins and frameworks too. Refused when they
    /// clash with the scanner's own (a name or a check id taken twice).
    pub fn scan_with(&self, snapshot: Snapshot, add: &Additions, progress: &(dyn Fn(Progress) + Sync)) -> Result<ScanReport, ScanError> {
        let total = snapshot.accounts.len();
        let plan = self.plan(add)?;
        Ok(self.run(&plan, snapshot.source, total, snapshot.accounts.into_iter(), progress))
    }

    /// The plugins and frameworks of one scan, checked like the scanner's own.
    fn plan<'a>(&'a self, add: &'a Additions) -> Result<Plan<'a>, ScanError> {
        let mut owner: HashMap<&str, &str> = HashMap::new();
        let mut names = std::collections::HashSet::new();
        let plugins: Vec<(&LoadedPlugin, bool)> =
            self.plugins.iter().map(|p| (p, false)).chain(add.plugins.iter().map(|p| (p.as_ref(), true))).collect();
        for (p, tenant) in &plugins {
            let name = p.info().name.as_str();
            if !names.insert(name) {
                return Err(if *tenant {
                    ScanError::Shadowing { kind: "plugin", name: name.into() }
                } else {
                    ScanError::DuplicatePlugin(name.into())
                });
            }
            for c in &p.info().checks {
                if let Some(first) = owner.insert(&c.id, name) {
                    return Err(ScanError::DuplicateCheck { check: c.id.clone(), first: first.into(), second: name.into() });
                }
            }
        }
        let mut missing = Vec::new();
        for f in &add.frameworks {
            if self.frameworks.iter().any(|b| b.id == f.id) || add.frameworks.iter().filter(|o| o.id == f.id).count() > 1 {
                return Err(ScanError::Shadowing { kind: "framework", name: f.id.clone() });
            }
            missing.extend(f.checks().filter(|c| !owner.contains_key(c)).map(str::to_string));
        }
        missing.sort();
        missing.dedup();
        Ok(Plan {
            plugins,
            frameworks: self.frameworks.iter().chain(&add.frameworks).collect(),
            missing,
            budget: add.fuel_budget.map(|b| (b, std::sync::atomic::AtomicU64::new(b))),
            exceptions: &add.exceptions,
            attestations: &add.attestations,
            attested: attested_now(&add.attestations),
        })
    }

    /// Evaluates accounts as they arrive (from live collection, say): each account is
    /// evaluated as soon as the iterator yields it, while later ones are still coming.
    /// `total` is what progress reports count towards. Accounts end up sorted by id.
    pub fn scan_stream(
        &self,
        source: String,
        total: usize,
        accounts: impl Iterator<Item = AccountInventory> + Send,
        add: &Additions,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<ScanReport, ScanError> {
        let plan = self.plan(add)?;
        Ok(self.run(&plan, source, total, accounts, progress))
    }

    fn run(
        &self,
        plan: &Plan<'_>,
        source: String,
        total: usize,
        accounts: impl Iterator<Item = AccountInventory> + Send,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> ScanReport {
        let started_at = securebase_inventory::time::now_rfc3339();
        let clock = Instant::now();
        let evaluated = self.evaluate_all(plan, total, accounts, progress);
        self.scored(plan, source, evaluated, started_at, clock)
    }

    /// Evaluates accounts with every plugin of a scan without scoring them: a split
    /// scan's batch is evaluated where it is collected, and its coordinator scores the
    /// accounts of all batches together with [`Scanner::assemble`]. `total` is what
    /// progress reports count towards. Accounts end up sorted by id.
    pub fn evaluate_accounts(
        &self,
        accounts: impl Iterator<Item = AccountInventory> + Send,
        total: usize,
        add: &Additions,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Vec<EvaluatedAccount>, ScanError> {
        let plan = self.plan(add)?;
        Ok(self.evaluate_all(&plan, total, accounts, progress))
    }

    /// A scan report of accounts evaluated by [`Scanner::evaluate_accounts`], here or by
    /// other workers, scored against the frameworks of this scanner and `add` (with the
    /// attestations of `add`). `started_at` is when the scan started and `clock` when
    /// its duration started counting; it ends when the report is made.
    pub fn assemble(
        &self,
        source: String,
        add: &Additions,
        accounts: Vec<EvaluatedAccount>,
        started_at: String,
        clock: Instant,
    ) -> Result<ScanReport, ScanError> {
        let plan = self.plan(add)?;
        let mut accounts = accounts;
        accounts.sort_by(|a, b| a.result.account_id.cmp(&b.result.account_id));
        Ok(self.scored(&plan, source, accounts, started_at, clock))
    }

    /// What decides the findings an evaluation gives on an inventory: this engine's
    /// version and scan schema (the host validates and shapes what plugins return), the
    /// plugins (by name and component SHA-256), the runtime's limits and metering, the
    /// tenant's fuel budget for the whole scan (give it before any share of it is taken)
    /// and its exceptions as of `add` (which failing findings are excepted). A split
    /// scan's coordinator uses a batch's evaluation only if the worker that made it had
    /// the same fingerprint, and evaluates the batch's accounts again otherwise.
    /// Frameworks and attestations are not part of it: they are applied when scoring.
    pub fn fingerprint(&self, add: &Additions) -> Result<String, ScanError> {
        use sha2::Digest;
        let plan = self.plan(add)?;
        let mut h = sha2::Sha256::new();
        h.update(format!("engine {} {SCAN_SCHEMA}\n", env!("CARGO_PKG_VERSION")));
        h.update(format!("metering {:?} budget {:?}\n", self.runtime.metering(), add.fuel_budget));
        for (p, tenant) in &plan.plugins {
            h.update(format!("plugin {} {} {tenant}\n", p.info().name, p.info().sha256));
        }
        h.update(format!("limits {:?}\n", self.runtime.limits()));
        for (e, expired) in plan.exceptions.entries() {
            h.update(format!("exception {} {expired}\n", serde_json::to_string(e).expect("an exception serializes")));
        }
        Ok(format!("{:x}", h.finalize()))
    }

    fn evaluate_all(
        &self,
        plan: &Plan<'_>,
        total: usize,
        accounts: impl Iterator<Item = AccountInventory> + Send,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Vec<EvaluatedAccount> {
        use rayon::iter::ParallelBridge;
        let done = AtomicUsize::new(0);
        let mut evaluated: Vec<EvaluatedAccount> = self.pool.install(|| {
            accounts
                .par_bridge()
                .map(|account| {
                    let evaluated = self.scan_account(plan, Arc::new(account));
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    let a = &evaluated.result;
                    progress(Progress::AccountDone {
                        account_id: a.account_id.clone(),
                        done: n,
                        total,
                        findings: a.findings.len(),
                        failing: a.findings.iter().filter(|f| f.status == "fail").count(),
                        evaluations: a.evaluations.len(),
                    });
                    evaluated
                })
                .collect()
        });
        evaluated.sort_by(|a, b| a.result.account_id.cmp(&b.result.account_id));
        evaluated
    }

    /// Scores evaluated accounts (sorted by id), each and together, into the report; its
    /// duration counts from `clock` to now.
    fn scored(&self, plan: &Plan<'_>, source: String, evaluated: Vec<EvaluatedAccount>, started_at: String, clock: Instant) -> ScanReport {
        let mut accounts = Vec::with_capacity(evaluated.len());
        let mut plugin_errors = Vec::new();
        let mut org_outcomes: HashMap<String, CheckOutcome> = HashMap::new();
        let mut resources = 0;
        for EvaluatedAccount { mut result, plugin_errors: errors, outcomes } in evaluated {
            let mut outcomes: HashMap<String, CheckOutcome> = outcomes.into_iter().collect();
            for check in &plan.missing {
                outcomes.entry(check.clone()).or_default().error += 1;
            }
            result.frameworks = plan.frameworks.iter().map(|f| plan.score(f, &outcomes)).collect();
            resources += result.resources;
            for (check, o) in outcomes {
                org_outcomes.entry(check).or_default().merge(&o);
            }
            plugin_errors.extend(errors);
            accounts.push(result);
        }
        let exceptions = plan
            .exceptions
            .entries()
            .map(|(e, expired)| ExceptionEntry {
                exception: e.clone(),
                state: if expired { "expired" } else { "active" }.into(),
                matched: accounts.iter().flat_map(|a| &a.findings).filter(|f| f.exception_id.as_deref() == Some(e.id.as_str())).count(),
            })
            .collect();
        let now = securebase_inventory::time::now_unix();
        let attestations =
            plan.attestations.iter().map(|a| AttestationEntry { attestation: a.clone(), state: a.validity(now).as_str().into() }).collect();
        ScanReport {
            schema: SCAN_SCHEMA.to_string(),
            engine: EngineInfo {
                name: "securebase".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                allocator: self.runtime.allocator().as_str().into(),
            },
            source,
            started_at,
            duration_ms: clock.elapsed().as_millis() as u64,
            plugins: plan
                .plugins
                .iter()
                .map(|(p, tenant)| {
                    let origin = if *tenant { "tenant" } else { self.origins.get(&p.info().sha256).copied().unwrap_or("builtin") };
                    PluginEntry::new(p.info(), origin)
                })
                .collect(),
            frameworks: plan.frameworks.iter().map(|f| FrameworkEntry::from(*f)).collect(),
            organization: OrganizationResult {
                accounts: accounts.len(),
                resources,
                frameworks: plan.frameworks.iter().map(|f| plan.score(f, &org_outcomes)).collect(),
            },
            accounts,
            plugin_errors,
            collection_errors: vec![],
            drift: None,
            inventory_sha256: None,
            inventory: None,
            exceptions,
            attestations,
        }
    }

    /// Evaluates a tenant's plugin within what is left of the tenant's fuel budget:
    /// reserved before the call (so calls running at once cannot overdraw it) and the
    /// unused part given back after. Built-in plugins are not counted against it.
    fn evaluate(&self, plan: &Plan<'_>, plugin: &LoadedPlugin, tenant: bool, account: &Arc<AccountInventory>) -> Evaluation {
        let Some((budget, left)) = plan.budget.as_ref().filter(|_| tenant) else {
            return self.runtime.evaluate(plugin, account);
        };
        let want = self.runtime.limits().fuel;
        let before = left.fetch_update(Ordering::AcqRel, Ordering::Acquire, |l| Some(l - l.min(want))).expect("always Some");
        let granted = before.min(want);
        let exhausted = || {
            PluginError::new(
                ErrorKind::FuelBudgetExhausted,
                format!("this tenant's plugins used up their fuel budget for the scan ({budget} units)"),
            )
        };
        if granted == 0 {
            return Evaluation {
                plugin: plugin.info().name.clone(),
                account_id: account.account_id().to_string(),
                result: Err(exhausted()),
                fuel_used: 0,
                duration: std::time::Duration::ZERO,
                instantiate: std::time::Duration::ZERO,
                log: vec![],
            };
        }
        let mut eval = self.runtime.evaluate_within(plugin, account, granted);
        left.fetch_add(granted.saturating_sub(eval.fuel_used), Ordering::AcqRel);
        if granted < want && matches!(&eval.result, Err(e) if e.kind == ErrorKind::FuelExhausted) {
            eval.result = Err(exhausted());
        }
        eval
    }

    /// One account evaluated by every plugin; scored later (see [`Scanner::assemble`]).
    fn scan_account(&self, plan: &Plan<'_>, account: Arc<AccountInventory>) -> EvaluatedAccount {
        let evaluations: Vec<_> = plan.plugins.par_iter().map(|(p, tenant)| (*p, self.evaluate(plan, p, *tenant, &account))).collect();
        let mut findings = Vec::new();
        let mut errors = Vec::new();
        let mut entries = Vec::new();
        let mut outcomes: BTreeMap<String, CheckOutcome> = BTreeMap::new();
        for (plugin, eval) in evaluations {
            let info = plugin.info();
            match eval.result {
                Ok(found) => {
                    entries.push(EvaluationEntry::new(&info.name, "ok", found.len(), eval.fuel_used, eval.duration));
                    for f in found {
                        let o = outcomes.entry(f.check_id.clone()).or_default();
                        let check = info.check(&f.check_id).expect("validated against the plugin's checks");
                        let item = account.get(&f.resource_type, &f.resource_id);
                        let mut entry = FindingEntry::new(&f, check, item);
                        match f.status {
                            Status::Pass => o.pass += 1,
                            Status::Fail => match excepted_by(plan.exceptions, &account, item, &f) {
                                Some(id) => {
                                    o.excepted += 1;
                                    entry.except(id);
                                }
                                None => o.fail += 1,
                            },
                            Status::NotApplicable => o.not_applicable += 1,
                            Status::Error => o.error += 1,
                        }
                        findings.push(entry);
                    }
                }
                Err(e) => {
                    entries.push(EvaluationEntry::new(&info.name, "error", 0, eval.fuel_used, eval.duration));
                    // Every check of a failed plugin is undecided on this account.
                    for c in &info.checks {
                        outcomes.entry(c.id.clone()).or_default().error += 1;
                    }
                    // Reported in the result; a log line per error would only repeat it.
                    tracing::debug!(plugin = %info.name, account = %account.account_id(), kind = e.kind.as_str(), "{}", e.message);
                    errors.push(PluginErrorEntry {
                        plugin: info.name.clone(),
                        account_id: account.account_id().to_string(),
                        kind: e.kind.as_str().to_string(),
                        message: e.message,
                        log: eval.log,
                    });
                }
            }
        }
        findings.sort_by(|a, b| (&a.check_id, &a.resource_type, &a.resource_id).cmp(&(&b.check_id, &b.resource_type, &b.resource_id)));
        let result = AccountResult {
            account_id: account.account_id().to_string(),
            account_name: account.account_name().map(str::to_string),
            captured_at: account.captured_at().to_string(),
            resources: account.len(),
            frameworks: vec![],
            findings,
            evaluations: entries,
        };
        EvaluatedAccount { result, plugin_errors: errors, outcomes }
    }
}

impl Plan<'_> {
    /// A framework's result, with the requirements attested for this scan.
    fn score(&self, f: &Framework, outcomes: &HashMap<String, CheckOutcome>) -> FrameworkResult {
        let none = std::collections::HashSet::new();
        securebase_scoring::score_attested(f, outcomes, self.attested.get(&f.id).unwrap_or(&none)).into()
    }
}

/// The requirements attested now, by framework.
fn attested_now(all: &[securebase_attestations::Attestation]) -> HashMap<String, std::collections::HashSet<String>> {
    let now = securebase_inventory::time::now_unix();
    let mut out: HashMap<String, std::collections::HashSet<String>> = HashMap::new();
    for a in all.iter().filter(|a| a.validity(now) == securebase_attestations::Validity::Valid) {
        out.entry(a.framework.clone()).or_default().insert(a.requirement.clone());
    }
    out
}

/// The id of the exception that covers a failing finding, if one does; the resource's
/// ARN and tags come from the inventory (a plugin reports only type and id).
fn excepted_by(
    register: &securebase_exceptions::Register,
    account: &AccountInventory,
    item: Option<&ConfigItem>,
    f: &securebase_runtime::Finding,
) -> Option<String> {
    if register.is_empty() {
        return None;
    }
    let subject = securebase_exceptions::Subject {
        check_id: &f.check_id,
        account_id: account.account_id(),
        region: &f.region,
        resource_id: &f.resource_id,
        arn: item.and_then(|i| i.arn.as_deref()),
        tags: item.map_or(&[], |i| i.tags.as_slice()),
    };
    register.find(&subject).map(|e| e.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use securebase_runtime::RuntimeOptions;

    fn runtime() -> Arc<Runtime> {
        Arc::new(Runtime::new(RuntimeOptions::default()).unwrap())
    }

    fn load_all(rt: &Runtime) -> Vec<LoadedPlugin> {
        securebase_builtin_plugins::PLUGINS.iter().map(|(n, b)| rt.load(n, b).unwrap()).collect()
    }

    #[test]
    fn refuses_duplicate_plugins_and_unknown_framework_checks() {
        let rt = runtime();
        let mut plugins = load_all(&rt);
        plugins.push(rt.load("s3-again.wasm", securebase_builtin_plugins::PLUGINS[0].1).unwrap());
        let err = Scanner::new(rt.clone(), plugins, vec![], Some(1)).unwrap_err();
        assert!(matches!(err, ScanError::DuplicatePlugin(_)), "{err}");

        let fw = Framework::parse(
            "id = \"x\"\nname = \"X\"\nversion = \"1\"\n[[requirements]]\nid = \"R1\"\ntitle = \"T\"\nchecks = [\"no_such_check\"]\n",
            "x.toml",
        )
        .unwrap();
        let err = Scanner::new(rt.clone(), load_all(&rt), vec![fw], Some(1)).unwrap_err().to_string();
        assert_eq!(err, "x.toml: requirement R1 names check `no_such_check`, which no loaded plugin provides");
    }

    /// What a report says that does not depend on when or how fast it was made.
    fn verdicts(r: &ScanReport) -> serde_json::Value {
        let mut v = serde_json::to_value(r).unwrap();
        for key in ["started_at", "duration_ms"] {
            v.as_object_mut().unwrap().remove(key);
        }
        for a in v["accounts"].as_array_mut().unwrap() {
            for e in a["evaluations"].as_array_mut().unwrap() {
                e.as_object_mut().unwrap().retain(|k, _| !k.contains("duration") && !k.ends_with("_ms") && !k.ends_with("_us"));
            }
        }
        v
    }

    #[test]
    fn accounts_evaluated_in_parts_and_assembled_make_the_report_of_one_scan() {
        let rt = runtime();
        let scanner = Scanner::new(rt.clone(), load_all(&rt), securebase_scoring::builtin(), Some(2)).unwrap();
        // A tenant framework naming a check no plugin of the scan provides: its
        // requirement reads `error`, decided when scoring.
        let fw = Framework::parse(
            "id = \"own\"\nname = \"Own\"\nversion = \"1\"\n[[requirements]]\nid = \"R1\"\ntitle = \"T\"\nchecks = [\"no_such_check\"]\n",
            "own.toml",
        )
        .unwrap();
        let add = Additions { frameworks: vec![fw], ..Default::default() };
        let whole = scanner.scan_with(securebase_inventory::demo(), &add, &|_| {}).unwrap();
        let own = whole.organization.frameworks.last().unwrap();
        assert_eq!((own.framework.as_str(), own.requirements[0].status.as_str()), ("own", "error"));
        let mut accounts = securebase_inventory::demo().accounts;
        assert_eq!(accounts.len(), 3);
        let last = accounts.split_off(2);
        // Each part as another worker would store it: through JSON.
        let mut parts = vec![];
        for part in [last, accounts] {
            let n = part.len();
            let evaluated = scanner.evaluate_accounts(part.into_iter(), n, &add, &|_| {}).unwrap();
            assert_eq!(evaluated.len(), n);
            assert!(evaluated.iter().all(|a| a.result.frameworks.is_empty() && !a.outcomes.is_empty()));
            let text = serde_json::to_string(&evaluated).unwrap();
            parts.extend(serde_json::from_str::<Vec<EvaluatedAccount>>(&text).unwrap());
        }
        let assembled = scanner.assemble(whole.source.clone(), &add, parts, whole.started_at.clone(), Instant::now()).unwrap();
        assert!(whole.accounts.iter().map(|a| a.findings.len()).sum::<usize>() > 100);
        assert!(!whole.organization.frameworks.is_empty());
        assert_eq!(verdicts(&assembled), verdicts(&whole));
    }

    #[test]
    fn a_fingerprint_changes_with_what_decides_findings_and_not_with_what_is_scored() {
        let rt = runtime();
        let scanner = Scanner::new(rt.clone(), load_all(&rt), securebase_scoring::builtin(), Some(1)).unwrap();
        let none = Additions::default();
        let base = scanner.fingerprint(&none).unwrap();
        assert_eq!(base.len(), 64);
        assert_eq!(scanner.fingerprint(&none).unwrap(), base, "stable");
        let budget = Additions { fuel_budget: Some(1000), ..Default::default() };
        assert_ne!(scanner.fingerprint(&budget).unwrap(), base, "a tier's budget can end an evaluation");
        let fw = Framework::parse(
            "id = \"own\"\nname = \"Own\"\nversion = \"1\"\n[[requirements]]\nid = \"R1\"\ntitle = \"T\"\nchecks = [\"no_such_check\"]\n",
            "own.toml",
        )
        .unwrap();
        let scored_only = Additions { frameworks: vec![fw], ..Default::default() };
        assert_eq!(scanner.fingerprint(&scored_only).unwrap(), base, "frameworks are applied when scoring");
        let exception: securebase_exceptions::Exception = serde_json::from_value(serde_json::json!({
            "id": "exc-1", "check": "*", "justification": "j", "approved_by": "a", "expires": "2099-12-31"
        }))
        .unwrap();
        let now = securebase_inventory::time::now_unix();
        let with = Additions { exceptions: securebase_exceptions::Register::new(vec![exception.clone()], now), ..Default::default() };
        assert_ne!(scanner.fingerprint(&with).unwrap(), base);
        let expired =
            Additions { exceptions: securebase_exceptions::Register::new(vec![exception], 4_102_444_800 + 1), ..Default::default() };
        assert_ne!(scanner.fingerprint(&expired).unwrap(), scanner.fingerprint(&with).unwrap(), "expired since");
        let fewer = Scanner::new(rt.clone(), load_all(&rt).into_iter().skip(1).collect(), vec![], Some(1)).unwrap();
        assert_ne!(fewer.fingerprint(&none).unwrap(), base, "another set of plugins");
    }

    #[test]
    fn the_organization_passes_a_requirement_only_where_every_account_passes() {
        let rt = runtime();
        let scanner = Scanner::new(rt.clone(), load_all(&rt), securebase_scoring::builtin(), Some(2)).unwrap();
        let seen = std::sync::Mutex::new(Vec::new());
        let report = scanner.scan(securebase_inventory::demo(), &|p| seen.lock().unwrap().push(p));
        assert_eq!(seen.lock().unwrap().len(), 3, "one progress event per account");
        for (i, fw) in report.organization.frameworks.iter().enumerate() {
            for (j, req) in fw.requirements.iter().enumerate() {
                let per_account: Vec<&str> = report.accounts.iter().map(|a| a.frameworks[i].requirements[j].status.as_str()).collect();
                let expected = if per_account.contains(&"manual") {
                    "manual"
                } else if per_account.contains(&"fail") {
                    "fail"
                } else if per_account.contains(&"error") {
                    "error"
                } else if per_account.contains(&"pass") {
                    "pass"
                } else {
                    "not_applicable"
                };
                assert_eq!(req.status, expected, "{} {}: {per_account:?}", fw.framework, req.id);
            }
        }
        let resources: usize = report.accounts.iter().map(|a| a.resources).sum();
        assert_eq!(report.organization.resources, resources);
        assert_eq!(
            report.accounts.iter().map(|a| a.account_id.as_str()).collect::<Vec<_>>(),
            ["111111111111", "222222222222", "333333333333"]
        );
    }
}
