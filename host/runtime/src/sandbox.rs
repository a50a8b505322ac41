//! What a plugin instance can reach, and the two calls the host makes into it.
//!
//! The linker holds exactly: the `securebase:control` `inventory` and `log` interfaces,
//! and the slice of WASI that Rust's standard library links even in a pure plugin
//! (`wasi:io`, `wasi:cli` for stdio, exit and environment, `wasi:clocks`,
//! `wasi:random`). Each is defanged by the [`WasiCtx`] below: no variables, no
//! arguments, stdin closed, stdout/stderr captured into the bounded log, clocks frozen
//! at the inventory's capture time, randomness from a fixed seed. `wasi:filesystem`
//! and `wasi:sockets` are not linked at all, so a plugin that wants them is refused
//! at load time (see `contract`).

use crate::contract::{CONTRACT_PACKAGE, CONTRACT_VERSION};
use crate::engine::SandboxEngine;
use crate::model::{ErrorKind, PluginError};
use crate::{Limits, Metering, error_chain};
use securebase_inventory::AccountInventory;
use std::sync::Arc;
use std::time::Duration;
use wasmtime::component::{HasData, HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, ResourceLimiter, Store, Trap};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "plugin",
});

use securebase::control::{inventory, log, types};

/// Per-store state: the account being evaluated and everything that bounds the call.
pub(crate) struct State {
    wasi: WasiCtx,
    table: ResourceTable,
    inventory: Option<Arc<AccountInventory>>,
    memory: MemoryLimiter,
    log: LogBuffer,
    stdout: BoundedOutput,
    stderr: BoundedOutput,
    /// Whether the engine meters fuel ([`crate::Metering`]): without it there is nothing
    /// to charge copies to and no fuel to report.
    metered: bool,
}

/// Captures a plugin's stdout or stderr up to a byte budget and silently drops the
/// rest. Unlike a pipe that fails when full, it never makes the guest's `println!`
/// panic, so a chatty plugin gets truncated output rather than a crash.
#[derive(Clone)]
struct BoundedOutput {
    inner: Arc<std::sync::Mutex<(Vec<u8>, bool)>>,
    capacity: usize,
}

impl BoundedOutput {
    fn new(capacity: usize) -> Self {
        Self { inner: Arc::new(std::sync::Mutex::new((Vec::new(), false))), capacity }
    }

    fn push(&self, bytes: &[u8]) {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (buf, truncated) = &mut *guard;
        let room = self.capacity.saturating_sub(buf.len());
        buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
        *truncated |= bytes.len() > room;
    }

    /// The captured text and whether anything was dropped.
    fn contents(&self) -> (String, bool) {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        (String::from_utf8_lossy(&guard.0).into_owned(), guard.1)
    }
}

#[wasmtime_wasi_io::async_trait]
impl wasmtime_wasi_io::streams::OutputStream for BoundedOutput {
    fn write(&mut self, bytes: bytes::Bytes) -> wasmtime_wasi_io::streams::StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }
    fn flush(&mut self) -> wasmtime_wasi_io::streams::StreamResult<()> {
        Ok(())
    }
    fn check_write(&mut self) -> wasmtime_wasi_io::streams::StreamResult<usize> {
        Ok(64 << 10)
    }
}

#[wasmtime_wasi_io::async_trait]
impl wasmtime_wasi_io::poll::Pollable for BoundedOutput {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for BoundedOutput {
    fn poll_write(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>, buf: &[u8]) -> std::task::Poll<std::io::Result<usize>> {
        self.push(buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

impl wasmtime_wasi::cli::IsTerminal for BoundedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl wasmtime_wasi::cli::StdoutStream for BoundedOutput {
    fn p2_stream(&self) -> Box<dyn wasmtime_wasi_io::streams::OutputStream> {
        Box::new(self.clone())
    }
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Elements in all the tables of one instance together (8 bytes each: 8 MiB).
pub(crate) const MAX_TABLE_ELEMENTS: usize = 1_000_000;

/// Fuel charged per byte the host copies across the sandbox boundary (inventory items
/// into the guest, log lines out of it): copying is work the plugin causes, so it
/// pays for it like for its own instructions, and a loop asking for the whole
/// inventory again and again runs out of fuel instead of burning host CPU for free.
pub(crate) const COPY_BYTES_PER_FUEL: u64 = 8;

/// Refuses growth past the limits and remembers that it did, so the resulting trap is
/// reported as a memory limit rather than a generic trap. The limits hold for the
/// whole instance: a component is made of several core modules, each with its own
/// memories and tables, and wasmtime asks about each one separately, so the sizes are
/// summed here (creation counts as growth from zero).
struct MemoryLimiter {
    limit: usize,
    hit: bool,
    memory: usize,
    table_elements: usize,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let total = self.memory - current.min(self.memory) + desired;
        if total > self.limit {
            self.hit = true;
            wasmtime::bail!("plugin tried to grow its memories to {total} bytes in all; the limit is {} bytes per instance", self.limit);
        }
        self.memory = total;
        Ok(true)
    }

    fn table_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let total = self.table_elements - current.min(self.table_elements) + desired;
        if total > MAX_TABLE_ELEMENTS {
            self.hit = true;
            wasmtime::bail!("plugin tried to grow its tables to {total} elements in all; the limit is {MAX_TABLE_ELEMENTS}");
        }
        self.table_elements = total;
        Ok(true)
    }
}

/// Takes `bytes / COPY_BYTES_PER_FUEL` fuel; out of fuel is the same trap as running
/// out while executing.
fn charge_copy(store: &mut wasmtime::StoreContextMut<'_, State>, bytes: usize) -> wasmtime::Result<()> {
    if !store.data().metered {
        return Ok(());
    }
    let cost = bytes as u64 / COPY_BYTES_PER_FUEL;
    let fuel = store.get_fuel()?;
    if cost > fuel {
        store.set_fuel(0)?;
        return Err(Trap::OutOfFuel.into());
    }
    store.set_fuel(fuel - cost)
}

/// Bytes of one item as copied into the guest.
fn item_bytes(i: &securebase_inventory::ConfigItem) -> usize {
    let tags: usize = i.tags.iter().map(|(k, v)| k.len() + v.len()).sum();
    i.resource_type.len()
        + i.resource_id.len()
        + i.resource_name.as_ref().map_or(0, String::len)
        + i.account_id.len()
        + i.aws_region.len()
        + i.arn.as_ref().map_or(0, String::len)
        + i.configuration.len()
        + i.supplementary_configuration.len()
        + tags
}

/// Log lines up to a byte budget; past it, one marker line and silence.
struct LogBuffer {
    budget: usize,
    used: usize,
    lines: Vec<String>,
    truncated: bool,
}

impl LogBuffer {
    fn push(&mut self, line: String) {
        if self.truncated {
            return;
        }
        if self.used + line.len() > self.budget {
            self.truncated = true;
            self.lines.push(format!("[log truncated: more than {} bytes]", self.budget));
            return;
        }
        self.used += line.len();
        self.lines.push(line);
    }
}

impl types::Host for State {}

impl inventory::Host for State {
    fn account_id(&mut self) -> String {
        self.inventory.as_ref().map(|i| i.account_id().to_string()).unwrap_or_default()
    }

    fn captured_at(&mut self) -> String {
        self.inventory.as_ref().map(|i| i.captured_at().to_string()).unwrap_or_default()
    }

    fn resource_types(&mut self) -> Vec<String> {
        self.inventory.as_ref().map(|i| i.resource_types().map(str::to_string).collect()).unwrap_or_default()
    }

    fn items(&mut self, resource_type: String) -> Vec<types::ConfigurationItem> {
        let Some(inv) = &self.inventory else { return Vec::new() };
        inv.items(&resource_type)
            .iter()
            .map(|i| types::ConfigurationItem {
                resource_type: i.resource_type.clone(),
                resource_id: i.resource_id.clone(),
                resource_name: i.resource_name.clone(),
                account_id: i.account_id.clone(),
                aws_region: i.aws_region.clone(),
                arn: i.arn.clone(),
                configuration: i.configuration.clone(),
                supplementary_configuration: i.supplementary_configuration.clone(),
                tags: i.tags.clone(),
            })
            .collect()
    }

    /// Unused in practice: [`linker`] shadows it with a version that charges fuel and
    /// hands over the account's shared buffer without copying it into a `Vec` first.
    fn encoded_items(&mut self, resource_type: String) -> Vec<u8> {
        self.inventory.as_ref().map(|i| i.encoded_items(&resource_type).to_vec()).unwrap_or_default()
    }
}

impl log::Host for State {
    fn log(&mut self, level: log::Level, message: String) {
        let level = match level {
            log::Level::Debug => "debug",
            log::Level::Info => "info",
            log::Level::Warn => "warn",
            log::Level::Error => "error",
        };
        self.log.push(format!("{level}: {message}"));
    }
}

struct HasIo;

impl HasData for HasIo {
    type Data<'a> = &'a mut ResourceTable;
}

/// The linker with exactly the interfaces described in the module docs.
pub(crate) fn linker(engine: &Engine) -> wasmtime::Result<Linker<State>> {
    use wasmtime_wasi::cli::{WasiCli, WasiCliView};
    use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView};
    use wasmtime_wasi::p2::bindings::{cli, clocks, random, sync};
    use wasmtime_wasi::random::WasiRandom;

    let mut l = Linker::new(engine);
    Plugin::add_to_linker::<State, HasSelf<State>>(&mut l, |s| s)?;
    // The two imports that copy data across the boundary, again, with the store at
    // hand so that the copy is charged to the plugin's fuel first.
    l.allow_shadowing(true);
    let interface = |name: &str| format!("{CONTRACT_PACKAGE}/{name}@{CONTRACT_VERSION}");
    let mut inv = l.instance(&interface("inventory"))?;
    inv.func_wrap("items", |mut store: wasmtime::StoreContextMut<'_, State>, (resource_type,): (String,)| {
        // The type's name was copied out of the guest: a megabyte-long one is paid for too.
        let bytes: usize = store.data().inventory.as_ref().map_or(0, |i| i.items(&resource_type).iter().map(item_bytes).sum());
        charge_copy(&mut store, resource_type.len() + bytes)?;
        Ok((inventory::Host::items(store.data_mut(), resource_type),))
    })?;
    inv.func_wrap("encoded-items", |mut store: wasmtime::StoreContextMut<'_, State>, (resource_type,): (String,)| {
        let Some(inventory) = store.data().inventory.clone() else { return Ok((Arc::<[u8]>::from(Vec::new()),)) };
        // Encoded once per account (the first plugin to ask pays, natively); every
        // plugin pays fuel for its own copy.
        let bytes = inventory.encoded_items(&resource_type);
        charge_copy(&mut store, resource_type.len() + bytes.len())?;
        Ok((bytes,))
    })?;
    let mut logger = l.instance(&interface("log"))?;
    logger.func_wrap("log", |mut store: wasmtime::StoreContextMut<'_, State>, (level, message): (log::Level, String)| {
        charge_copy(&mut store, message.len())?;
        log::Host::log(store.data_mut(), level, message);
        Ok(())
    })?;
    l.allow_shadowing(false);

    wasmtime_wasi_io::bindings::wasi::io::error::add_to_linker::<State, HasIo>(&mut l, |s| &mut s.table)?;
    sync::io::poll::add_to_linker::<State, HasIo>(&mut l, |s| &mut s.table)?;
    sync::io::streams::add_to_linker::<State, HasIo>(&mut l, |s| &mut s.table)?;

    clocks::wall_clock::add_to_linker::<State, WasiClocks>(&mut l, State::clocks)?;
    clocks::monotonic_clock::add_to_linker::<State, WasiClocks>(&mut l, State::clocks)?;
    random::random::add_to_linker::<State, WasiRandom>(&mut l, |s| s.wasi.random())?;
    random::insecure::add_to_linker::<State, WasiRandom>(&mut l, |s| s.wasi.random())?;
    random::insecure_seed::add_to_linker::<State, WasiRandom>(&mut l, |s| s.wasi.random())?;
    cli::exit::add_to_linker::<State, WasiCli>(&mut l, State::cli)?;
    cli::environment::add_to_linker::<State, WasiCli>(&mut l, State::cli)?;
    cli::stdin::add_to_linker::<State, WasiCli>(&mut l, State::cli)?;
    cli::stdout::add_to_linker::<State, WasiCli>(&mut l, State::cli)?;
    cli::stderr::add_to_linker::<State, WasiCli>(&mut l, State::cli)?;
    cli::terminal_input::add_to_linker::<State, WasiCli>(&mut l, State::cli)?;
    cli::terminal_output::add_to_linker::<State, WasiCli>(&mut l, State::cli)?;
    cli::terminal_stdin::add_to_linker::<State, WasiCli>(&mut l, State::cli)?;
    cli::terminal_stdout::add_to_linker::<State, WasiCli>(&mut l, State::cli)?;
    cli::terminal_stderr::add_to_linker::<State, WasiCli>(&mut l, State::cli)?;
    Ok(l)
}

/// A wall clock stopped at one instant (the inventory's capture time).
struct FrozenWallClock(Duration);

impl wasmtime_wasi::HostWallClock for FrozenWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        self.0
    }
}

/// A monotonic clock that never advances.
struct FrozenMonotonicClock;

impl wasmtime_wasi::HostMonotonicClock for FrozenMonotonicClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

pub(crate) fn new_store(
    engine: &SandboxEngine,
    limits: &Limits,
    inventory: Option<Arc<AccountInventory>>,
) -> wasmtime::Result<Store<State>> {
    // Half the log budget each for stdout and stderr: a panic message lands on stderr
    // and is the most useful thing a crashing plugin leaves behind.
    let stdout = BoundedOutput::new(limits.max_log_bytes / 2);
    let stderr = BoundedOutput::new(limits.max_log_bytes / 2);
    let captured = inventory.as_ref().and_then(|i| securebase_inventory::time::parse_rfc3339(i.captured_at())).unwrap_or(0).max(0) as u64;
    let seed = inventory.as_ref().map(|i| i.account_id().parse::<u128>().unwrap_or(0)).unwrap_or(0);
    let wasi = WasiCtx::builder()
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .wall_clock(FrozenWallClock(Duration::from_secs(captured)))
        .monotonic_clock(FrozenMonotonicClock)
        .secure_random(wasmtime_wasi::Deterministic::new(seed.to_le_bytes().to_vec()))
        .insecure_random(wasmtime_wasi::Deterministic::new(seed.to_be_bytes().to_vec()))
        .insecure_random_seed(seed)
        .build();
    let state = State {
        wasi,
        table: ResourceTable::new(),
        inventory,
        memory: MemoryLimiter { limit: limits.memory_bytes, hit: false, memory: 0, table_elements: 0 },
        log: LogBuffer { budget: limits.max_log_bytes, used: 0, lines: Vec::new(), truncated: false },
        stdout,
        stderr,
        metered: engine.metering == Metering::Fuel,
    };
    let metered = state.metered;
    let mut store = Store::new(&engine.engine, state);
    store.limiter(|s| &mut s.memory);
    if metered {
        store.set_fuel(limits.fuel)?;
    }
    let ticks = (limits.timeout.as_millis() / crate::engine::EPOCH_TICK.as_millis()).max(1) as u64;
    store.set_epoch_deadline(ticks);
    Ok(store)
}

/// A successful evaluate call, before validation.
pub(crate) struct Run {
    pub findings: Vec<types::Finding>,
    pub fuel_used: u64,
    pub log: Vec<String>,
    pub instantiate: std::time::Duration,
}

/// A failed call.
pub(crate) struct Failure {
    pub error: PluginError,
    pub fuel_used: u64,
    pub log: Vec<String>,
}

fn finish(store: &mut Store<State>, limits: &Limits) -> (u64, Vec<String>) {
    let fuel_used = if store.data().metered { limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0)) } else { 0 };
    let state = store.data_mut();
    let mut log = std::mem::take(&mut state.log.lines);
    for (stream, pipe) in [("stdout", &state.stdout), ("stderr", &state.stderr)] {
        let (text, truncated) = pipe.contents();
        log.extend(text.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("{stream}: {l}")));
        if truncated {
            log.push(format!("[{stream} truncated: more than {} bytes]", pipe.capacity));
        }
    }
    (fuel_used, log)
}

fn classify(err: &wasmtime::Error, state: &State, limits: &Limits, log: &[String]) -> PluginError {
    if state.memory.hit {
        return PluginError::new(ErrorKind::MemoryLimit, format!("exceeded the memory limit of {} bytes", limits.memory_bytes));
    }
    match err.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => PluginError::new(ErrorKind::FuelExhausted, format!("ran out of fuel after {} units", limits.fuel)),
        Some(Trap::Interrupt) => PluginError::new(ErrorKind::Timeout, format!("still running after the {:?} deadline", limits.timeout)),
        Some(Trap::StackOverflow) => {
            PluginError::new(ErrorKind::StackOverflow, format!("overflowed the {} byte stack", limits.stack_bytes))
        }
        _ => {
            // A Rust panic prints its message on stderr before trapping: the best explanation.
            let stderr: Vec<&str> = log.iter().filter_map(|l| l.strip_prefix("stderr: ")).collect();
            let message = match stderr.iter().position(|l| l.contains("panicked at")) {
                Some(i) => format!("panicked: {} ({})", stderr.get(i + 1).unwrap_or(&"no message").trim(), stderr[i].trim()),
                None if matches!(err.downcast_ref::<Trap>(), Some(Trap::MemoryOutOfBounds)) => {
                    format!("trapped: {} (deep recursion overflowing the plugin's shadow stack ends this way too)", trap_reason(err))
                }
                None => format!("trapped: {}", trap_reason(err)),
            };
            PluginError::new(ErrorKind::Trap, message)
        }
    }
}

/// The trap without wasmtime's frame-by-frame backtrace, which names only function
/// indices and drowns the reason.
fn trap_reason(err: &wasmtime::Error) -> String {
    let parts: Vec<String> =
        err.chain().map(|c| c.to_string()).filter(|s| !s.starts_with("error while executing at wasm backtrace")).collect();
    if parts.is_empty() { error_chain(err) } else { parts.join(": ") }
}

fn failure(store: &mut Store<State>, limits: &Limits, kind_if_not_trap: Option<ErrorKind>, err: wasmtime::Error) -> Failure {
    let (fuel_used, log) = finish(store, limits);
    let mut error = classify(&err, store.data(), limits, &log);
    // An instantiation failure that is not a trap (a start function, a missing
    // resource) is reported as such, not as a generic trap.
    if let (Some(kind), ErrorKind::Trap) = (kind_if_not_trap, error.kind)
        && err.downcast_ref::<Trap>().is_none()
        && !store.data().memory.hit
    {
        error = PluginError::new(kind, error_chain(&err));
    }
    Failure { error, fuel_used, log }
}

/// Calls `metadata()` in a fresh store with an empty inventory.
pub(crate) fn call_metadata(engine: &SandboxEngine, pre: &PluginPre<State>, limits: &Limits) -> Result<types::PluginMetadata, PluginError> {
    let mut store = new_store(engine, limits, None).map_err(|e| PluginError::new(ErrorKind::Instantiation, error_chain(&e)))?;
    let plugin = pre.instantiate(&mut store).map_err(|e| failure(&mut store, limits, Some(ErrorKind::Instantiation), e).error)?;
    plugin.securebase_control_control().call_metadata(&mut store).map_err(|e| failure(&mut store, limits, None, e).error)
}

/// Calls `evaluate()` in a fresh store bound to one account.
pub(crate) fn call_evaluate(
    engine: &SandboxEngine,
    pre: &PluginPre<State>,
    limits: &Limits,
    account: Arc<AccountInventory>,
) -> Result<Run, Failure> {
    let started = std::time::Instant::now();
    let mut store = new_store(engine, limits, Some(account)).map_err(|e| Failure {
        error: PluginError::new(ErrorKind::Instantiation, error_chain(&e)),
        fuel_used: 0,
        log: vec![],
    })?;
    let plugin = pre.instantiate(&mut store).map_err(|e| failure(&mut store, limits, Some(ErrorKind::Instantiation), e))?;
    let instantiate = started.elapsed();
    match plugin.securebase_control_control().call_evaluate(&mut store) {
        Ok(Ok(findings)) => {
            let (fuel_used, log) = finish(&mut store, limits);
            Ok(Run { findings, fuel_used, log, instantiate })
        }
        Ok(Err(message)) => {
            let (fuel_used, log) = finish(&mut store, limits);
            let message = truncate(&message, limits.max_string_bytes);
            Err(Failure { error: PluginError::new(ErrorKind::PluginFailed, message), fuel_used, log })
        }
        Err(e) => Err(failure(&mut store, limits, None, e)),
    }
}

/// At most `max` bytes of `s`, cut on a character boundary, marked when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let cut = (0..=max).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
    format!("{}... [{} bytes]", &s[..cut], s.len())
}
