//! The one wasmtime engine: configuration, instance allocation and the epoch ticker.

use crate::{Limits, LoadError};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig};

/// How often the epoch advances. The deadline in a store is counted in these ticks.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Which instance allocator to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AllocatorChoice {
    /// The pooling allocator if the OS grants its address-space reservation, else on-demand.
    #[default]
    Auto,
    /// Pooling or fail.
    Pooling,
    /// Plain on-demand allocation.
    OnDemand,
}

/// How a call's work is bounded. Fuel is the default and the product's promise: a
/// deterministic instruction count, so a plugin that runs out does so at the same point
/// on every machine, and the per-tenant fuel budgets and `fuel_used` in every report
/// depend on it. `EpochOnly` drops fuel metering and keeps the wall-clock deadline alone:
/// it exists to measure what fuel costs (`securebase-bench scan --metering epoch`), and
/// leaves fuel budgets unenforced (every call reports 0 fuel used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metering {
    /// Fuel per instruction plus the epoch deadline.
    #[default]
    Fuel,
    /// The epoch deadline only.
    EpochOnly,
}

/// How the pooling allocator gives an instance's memory back, for measuring what keeping
/// it warm is worth (`securebase-bench scan --keep-resident-kib ... --decommit-batch ...
/// --pagemap-scan`). Whatever the setting, a slot's memory is restored to the module's
/// initial image before another instance gets it (up to `keep_resident` bytes by writing
/// them back in place instead of `madvise`), so no instance sees another's data
/// (`tests/hostile.rs` checks it for each way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolTuning {
    /// Bytes of each linear memory and table reset in place rather than given back.
    pub keep_resident: usize,
    /// Memories, tables and stacks whose decommits are queued and done together (per
    /// CPU shard), rather than one `madvise` each as it is freed.
    pub decommit_batch: usize,
    /// Find the pages an instance touched with Linux 6.7's `PAGEMAP_SCAN` (where the
    /// kernel has it) and reset those, up to `keep_resident` bytes anywhere in memory.
    pub pagemap_scan: bool,
}

impl PoolTuning {
    /// Wasmtime's own defaults: an instance's memory given back with `madvise` when it
    /// ends, and faulted in again by the next.
    pub const GIVE_BACK: Self = Self { keep_resident: 0, decommit_batch: 1, pagemap_scan: false };
    /// Memory kept warm: up to 8 MiB of each memory and table that an instance touched
    /// (found with `PAGEMAP_SCAN`) restored in place, the rest decommitted 16 at a time.
    /// Measured on the 1,000 x 1,000 scan: about 9 % less sandbox time than [`Self::GIVE_BACK`]
    /// (README, Performance); without `PAGEMAP_SCAN` it is slower than giving back.
    pub const WARM: Self = Self { keep_resident: 8 << 20, decommit_batch: 16, pagemap_scan: true };
}

impl Default for PoolTuning {
    /// [`PoolTuning::WARM`] where the kernel has `PAGEMAP_SCAN` (Linux 6.7 and later),
    /// [`PoolTuning::GIVE_BACK`] elsewhere.
    fn default() -> Self {
        if PoolingAllocationConfig::is_pagemap_scan_available() { Self::WARM } else { Self::GIVE_BACK }
    }
}

/// The allocator actually in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocator {
    /// Pre-reserved slots: cheap instantiation, bounded concurrency.
    Pooling,
    /// mmap per instance.
    OnDemand,
}

impl Allocator {
    /// A name for logs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Allocator::Pooling => "pooling",
            Allocator::OnDemand => "on-demand",
        }
    }
}

pub(crate) struct SandboxEngine {
    pub engine: Engine,
    pub allocator: Allocator,
    pub metering: Metering,
    ticker: Ticker,
}

impl Drop for SandboxEngine {
    fn drop(&mut self) {
        self.ticker.stop.store(true, Ordering::Relaxed);
    }
}

struct Ticker {
    stop: Arc<AtomicBool>,
}

impl SandboxEngine {
    pub fn new(
        limits: &Limits,
        choice: AllocatorChoice,
        max_instances: u32,
        metering: Metering,
        tuning: PoolTuning,
    ) -> Result<Self, LoadError> {
        let pool = Some((max_instances, tuning));
        let (engine, allocator) = match choice {
            AllocatorChoice::OnDemand => (build(limits, None, metering)?, Allocator::OnDemand),
            AllocatorChoice::Pooling => (build(limits, pool, metering)?, Allocator::Pooling),
            AllocatorChoice::Auto => match build(limits, pool, metering) {
                Ok(engine) => (engine, Allocator::Pooling),
                Err(e) => {
                    tracing::warn!("pooling allocator unavailable ({e}); falling back to on-demand allocation");
                    (build(limits, None, metering)?, Allocator::OnDemand)
                }
            },
        };
        let stop = Arc::new(AtomicBool::new(false));
        // The ticker holds a weak handle so it ends with the engine; it is the wall-clock
        // backstop for a plugin stuck somewhere fuel does not meter.
        let weak = engine.weak();
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("securebase-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    match weak.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })
            .map_err(|e| LoadError::Config(format!("starting the epoch thread: {e}")))?;
        Ok(Self { engine, allocator, metering, ticker: Ticker { stop } })
    }
}

/// What one component (a plugin) may hold of the pool. A Rust plugin has one memory and
/// a few core instances and tables; a Python one (componentize-py: CPython, its libc and
/// shims) 38 core instances; a JavaScript one (jco) up to 3 memories. These bounds take
/// all three with room to spare, while a plugin made of hundreds of core modules still
/// cannot take the pool's share of others.
pub(crate) const CORE_INSTANCES_PER_COMPONENT: u32 = 64;
pub(crate) const MEMORIES_PER_COMPONENT: u32 = 4;
pub(crate) const TABLES_PER_COMPONENT: u32 = 16;

fn build(limits: &Limits, pooling: Option<(u32, PoolTuning)>, metering: Metering) -> Result<Engine, LoadError> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.consume_fuel(metering == Metering::Fuel);
    config.epoch_interruption(true);
    config.max_wasm_stack(limits.stack_bytes);
    config.cranelift_opt_level(OptLevel::Speed);
    // Same inputs, same answers, on every machine: no NaN-bit or relaxed-SIMD differences.
    config.cranelift_nan_canonicalization(true);
    config.relaxed_simd_deterministic(true);
    if let Some((n, tuning)) = pooling {
        let mut pool = PoolingAllocationConfig::default();
        pool.linear_memory_keep_resident(tuning.keep_resident);
        pool.table_keep_resident(tuning.keep_resident);
        pool.decommit_batch_size(tuning.decommit_batch.max(1));
        pool.pagemap_scan(if tuning.pagemap_scan { wasmtime::Enabled::Auto } else { wasmtime::Enabled::No });
        pool.total_component_instances(n);
        pool.total_core_instances(n.saturating_mul(CORE_INSTANCES_PER_COMPONENT));
        pool.total_memories(n.saturating_mul(MEMORIES_PER_COMPONENT));
        pool.total_tables(n.saturating_mul(TABLES_PER_COMPONENT));
        pool.max_memory_size(limits.memory_bytes);
        pool.max_core_instances_per_component(CORE_INSTANCES_PER_COMPONENT);
        pool.max_memories_per_component(MEMORIES_PER_COMPONENT);
        pool.max_tables_per_component(TABLES_PER_COMPONENT);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    Engine::new(&config).map_err(|e| LoadError::Config(crate::error_chain(&e)))
}
