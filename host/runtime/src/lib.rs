//! The plugin runtime: runs untrusted control plugins (WebAssembly components) in a sandbox.
//!
//! This crate owns the host side of the `securebase:control` WIT contract (`wit/` at the
//! repository root). One [`Runtime`] holds one wasmtime `Engine`; each plugin is compiled
//! once per process (and cached on disk, see [`cache`]) into a [`LoadedPlugin`] whose
//! `InstancePre` is shared across threads; every (account, plugin) evaluation gets a fresh
//! `Store` with its own [`Limits`]: fuel, an epoch deadline, linear memory, stack, and
//! caps on findings and log output. What a plugin may touch is exactly the `inventory`
//! and `log` interfaces plus a locked-down slice of WASI (see [`sandbox`]): no
//! filesystem, network, environment, real clock or real randomness.
//!
//! Anything a plugin does wrong (trap, limit, invalid output) becomes a [`PluginError`]
//! value for that one evaluation; it never takes the host down.

pub mod cache;
mod contract;
mod engine;
mod limits;
mod model;
mod sandbox;
mod validate;

#[cfg(test)]
mod tests;

pub use contract::{CONTRACT_PACKAGE, CONTRACT_VERSION, is_provided};
pub use engine::{Allocator, AllocatorChoice, Metering, PoolTuning};
pub use limits::Limits;
pub use model::{CheckInfo, ErrorKind, Evaluation, Finding, LoadError, PluginError, PluginInfo, Reference, Severity, Status};
pub use validate::is_check_id;

use securebase_inventory::AccountInventory;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// How to build a [`Runtime`].
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Limits applied to every plugin call.
    pub limits: Limits,
    /// Where compiled plugins are cached; `None` compiles in memory every time.
    pub cache_dir: Option<PathBuf>,
    /// Instance allocation strategy.
    pub allocator: AllocatorChoice,
    /// How many plugin instances may be alive at once (sizes the pooling allocator).
    pub max_instances: u32,
    /// Fuel (the default) or the epoch deadline alone, for measuring fuel's cost.
    pub metering: Metering,
    /// How the pooling allocator gives memory back.
    pub pool: PoolTuning,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(2);
        Self {
            limits: Limits::default(),
            cache_dir: None,
            allocator: AllocatorChoice::Auto,
            max_instances: (threads * 4).max(16),
            metering: Metering::Fuel,
            pool: PoolTuning::default(),
        }
    }
}

/// The sandbox: one engine, its linker, and the limits every call runs under.
pub struct Runtime {
    engine: engine::SandboxEngine,
    linker: wasmtime::component::Linker<sandbox::State>,
    limits: Limits,
    cache: Option<cache::Cache>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("allocator", &self.engine.allocator).field("limits", &self.limits).finish()
    }
}

/// What [`Runtime::inspect`] found in a component.
#[derive(Debug)]
pub struct Inspection {
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: usize,
    /// Every import, with whether the sandbox provides it.
    pub imports: Vec<(String, bool)>,
    /// Every export.
    pub exports: Vec<String>,
    /// The plugin, or why it does not load.
    pub loaded: Result<LoadedPlugin, LoadError>,
}

/// A compiled, validated plugin, ready to be instantiated on any thread.
pub struct LoadedPlugin {
    info: PluginInfo,
    contract: String,
    pre: sandbox::PluginPre<sandbox::State>,
    from_cache: bool,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin").field("name", &self.info.name).field("sha256", &self.info.sha256).finish()
    }
}

impl LoadedPlugin {
    /// Name, version, content hash and checks.
    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    /// The contract it was built for, e.g. `securebase:control@1.0.0`.
    pub fn contract(&self) -> &str {
        &self.contract
    }

    /// Whether the compiled code came from the on-disk cache.
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }
}

impl Runtime {
    /// Builds the engine (pooling allocator when the OS allows it), the linker and the cache.
    pub fn new(options: RuntimeOptions) -> Result<Self, LoadError> {
        options.limits.validate().map_err(LoadError::Config)?;
        let engine = engine::SandboxEngine::new(&options.limits, options.allocator, options.max_instances, options.metering, options.pool)?;
        let linker = sandbox::linker(&engine.engine).map_err(|e| LoadError::Config(format!("linking host interfaces: {e}")))?;
        let cache = match options.cache_dir {
            Some(dir) => Some(cache::Cache::open(dir)?),
            None => None,
        };
        Ok(Self { engine, linker, limits: options.limits, cache })
    }

    /// The allocation strategy actually in use.
    pub fn allocator(&self) -> Allocator {
        self.engine.allocator
    }

    /// How calls are metered.
    pub fn metering(&self) -> Metering {
        self.engine.metering
    }

    /// The limits every call runs under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Compiles (or fetches from the cache) a component, checks that it speaks our
    /// contract and imports nothing else, and reads and validates its metadata.
    /// `name` is how the plugin is referred to until its metadata is read (a file name).
    pub fn load(&self, name: &str, wasm: &[u8]) -> Result<LoadedPlugin, LoadError> {
        let sha256 = cache::sha256_hex(wasm);
        let (component, from_cache) = self.compile(name, wasm, &sha256)?;
        self.load_compiled(name, component, sha256, from_cache)
    }

    /// What an author asks of a component before anything else: its imports (each
    /// with whether the sandbox links it), its exports, and whether it loads (with its
    /// metadata) or why not. Only a file that does not compile at all is an `Err`.
    pub fn inspect(&self, name: &str, wasm: &[u8]) -> Result<Inspection, LoadError> {
        let sha256 = cache::sha256_hex(wasm);
        let (component, from_cache) = self.compile(name, wasm, &sha256)?;
        let ty = component.component_type();
        let imports = ty.imports(&self.engine.engine).map(|(n, _)| (n.to_string(), is_provided(n))).collect();
        let exports = ty.exports(&self.engine.engine).map(|(n, _)| n.to_string()).collect();
        let loaded = self.load_compiled(name, component, sha256.clone(), from_cache);
        Ok(Inspection { sha256, size: wasm.len(), imports, exports, loaded })
    }

    fn compile(&self, name: &str, wasm: &[u8], sha256: &str) -> Result<(wasmtime::component::Component, bool), LoadError> {
        match &self.cache {
            Some(cache) => cache.get_or_compile(&self.engine.engine, wasm, sha256, name),
            None => Ok((
                wasmtime::component::Component::new(&self.engine.engine, wasm)
                    .map_err(|e| LoadError::Compile { plugin: name.to_string(), message: error_chain(&e) })?,
                false,
            )),
        }
    }

    fn load_compiled(
        &self,
        name: &str,
        component: wasmtime::component::Component,
        sha256: String,
        from_cache: bool,
    ) -> Result<LoadedPlugin, LoadError> {
        let contract = contract::check(&self.engine.engine, &component, name)?;
        let instance_pre =
            self.linker.instantiate_pre(&component).map_err(|e| LoadError::Link { plugin: name.to_string(), message: error_chain(&e) })?;
        let pre =
            sandbox::PluginPre::new(instance_pre).map_err(|e| LoadError::Link { plugin: name.to_string(), message: error_chain(&e) })?;
        let metadata = sandbox::call_metadata(&self.engine, &pre, &self.limits)
            .map_err(|e| LoadError::Metadata { plugin: name.to_string(), message: e.message })?;
        let info = validate::metadata(metadata, sha256, &self.limits)
            .map_err(|message| LoadError::Metadata { plugin: name.to_string(), message })?;
        tracing::debug!(plugin = %info.name, checks = info.checks.len(), from_cache, "plugin loaded");
        Ok(LoadedPlugin { info, contract, pre, from_cache })
    }

    /// Evaluates one plugin against one account, in a fresh store under the limits.
    pub fn evaluate(&self, plugin: &LoadedPlugin, account: &Arc<AccountInventory>) -> Evaluation {
        self.evaluate_within(plugin, account, self.limits.fuel)
    }

    /// [`Runtime::evaluate`] with at most `fuel` units (never more than the per-call
    /// limit): what is left of a budget shared by several calls. Running out is a
    /// [`ErrorKind::FuelExhausted`] error like any other.
    pub fn evaluate_within(&self, plugin: &LoadedPlugin, account: &Arc<AccountInventory>, fuel: u64) -> Evaluation {
        let started = Instant::now();
        let narrowed;
        let limits = if fuel < self.limits.fuel {
            narrowed = Limits { fuel, ..self.limits.clone() };
            &narrowed
        } else {
            &self.limits
        };
        let outcome = sandbox::call_evaluate(&self.engine, &plugin.pre, limits, account.clone());
        let (result, fuel_used, log, instantiate) = match outcome {
            Ok(run) => {
                let validated = validate::findings(&plugin.info, account, run.findings, limits);
                (validated, run.fuel_used, run.log, run.instantiate)
            }
            Err(failure) => (Err(failure.error), failure.fuel_used, failure.log, std::time::Duration::ZERO),
        };
        Evaluation {
            plugin: plugin.info.name.clone(),
            account_id: account.account_id().to_string(),
            result,
            fuel_used,
            duration: started.elapsed(),
            instantiate,
            log,
        }
    }
}

/// An error and its causes on one line.
pub(crate) fn error_chain(e: &wasmtime::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ")
}
