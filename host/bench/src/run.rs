//! The scan benchmark: one synthetic organization, streamed through the sandbox and
//! through the same checks compiled natively, so the sandbox's overhead is a ratio
//! measured in one run on one machine.

use crate::Generator;
use rayon::prelude::*;
use securebase_plugin_sdk::Plugin;
use securebase_runtime::{LoadedPlugin, Runtime};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The built-in plugins compiled natively, in the order they are embedded.
pub fn native_plugins() -> Vec<&'static Plugin> {
    securebase_builtin_plugins::NATIVE.iter().map(|(_, p)| *p).collect()
}

/// What one benchmark run measured.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Accounts evaluated.
    pub accounts: u64,
    /// Configuration items evaluated.
    pub items: u64,
    /// Check verdicts produced in the sandbox (one check on one resource).
    pub findings: u64,
    /// Verdicts produced natively (must equal `findings`).
    pub native_findings: u64,
    /// (plugin, account) evaluations that failed in the sandbox.
    pub plugin_errors: u64,
    /// Wall-clock time of the whole run (generation, sandbox and native).
    pub wall: Duration,
    /// Summed over workers: time generating inventories.
    pub generate: Duration,
    /// Summed over workers: time encoding each account's items for contract 1.1 (once per
    /// account, then read by the sandbox and the native run alike).
    pub encode: Duration,
    /// Summed over workers: time evaluating in the sandbox.
    pub sandbox: Duration,
    /// Summed over workers: time evaluating the same accounts natively; zero when skipped.
    pub native: Duration,
    /// Per-(account, plugin) store creation + instantiation times, sorted.
    pub instantiations: Vec<Duration>,
    /// Peak resident memory of the process, bytes (Linux; 0 elsewhere).
    pub peak_rss: u64,
}

/// Peak resident set size of this process, bytes (see [`peak_rss_of`]).
pub fn peak_rss() -> u64 {
    peak_rss_of("self")
}

/// Peak resident set size of the process `pid` ("self" for this one), bytes: `VmHWM`
/// in its `/proc/<pid>/status` (0 where there is none, e.g. not on Linux).
pub fn peak_rss_of(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
        .map_or(0, |kib| kib * 1024)
}

#[derive(Default)]
struct Totals {
    items: u64,
    findings: u64,
    native_findings: u64,
    errors: u64,
    generate: Duration,
    encode: Duration,
    sandbox: Duration,
    native: Duration,
}

impl Totals {
    fn add(mut self, o: Totals) -> Totals {
        self.items += o.items;
        self.findings += o.findings;
        self.native_findings += o.native_findings;
        self.errors += o.errors;
        self.generate += o.generate;
        self.encode += o.encode;
        self.sandbox += o.sandbox;
        self.native += o.native;
        self
    }
}

/// Runs the benchmark on `threads` workers. Each account is generated, evaluated in the
/// sandbox and then natively by the same worker while its data is warm, so the two
/// evaluation times compare like with like; accounts stream through `par_bridge`, so
/// only the accounts in flight are ever in memory.
pub fn run(generator: Generator, runtime: &Runtime, plugins: &[LoadedPlugin], threads: usize, native: bool) -> Measurement {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).stack_size(8 << 20).build().expect("worker pool");
    let natives = native_plugins();
    let instantiations = Mutex::new(Vec::with_capacity((generator.accounts as usize) * plugins.len()));
    let started = Instant::now();
    let totals = pool.install(|| {
        (0..generator.accounts)
            .par_bridge()
            .map(|index| {
                let mut t = Totals::default();
                let clock = Instant::now();
                let account = Arc::new(generator.account(index));
                t.generate = clock.elapsed();
                t.items = account.len() as u64;

                // Timed apart: both runs below read this one encoding.
                let clock = Instant::now();
                account.encode_all();
                t.encode = clock.elapsed();

                let clock = Instant::now();
                let mut times = Vec::with_capacity(plugins.len());
                for p in plugins {
                    let eval = runtime.evaluate(p, &account);
                    times.push(eval.instantiate);
                    match eval.result {
                        Ok(f) => t.findings += f.len() as u64,
                        Err(_) => t.errors += 1,
                    }
                }
                t.sandbox = clock.elapsed();

                if native {
                    let clock = Instant::now();
                    let inventory = securebase_plugin_sdk::testing::inventory(account.clone());
                    t.native_findings = natives.iter().map(|p| p.evaluate(&inventory).len() as u64).sum();
                    t.native = clock.elapsed();
                }
                instantiations.lock().unwrap_or_else(|p| p.into_inner()).extend(times);
                t
            })
            .reduce(Totals::default, Totals::add)
    });
    let mut instantiations = instantiations.into_inner().unwrap_or_else(|p| p.into_inner());
    instantiations.sort();
    Measurement {
        accounts: generator.accounts,
        items: totals.items,
        findings: totals.findings,
        native_findings: totals.native_findings,
        plugin_errors: totals.errors,
        wall: started.elapsed(),
        generate: totals.generate,
        encode: totals.encode,
        sandbox: totals.sandbox,
        native: totals.native,
        instantiations,
        peak_rss: peak_rss(),
    }
}

impl Measurement {
    /// The figures, one per line, for people and for the README. Rates are per second
    /// of wall-clock with all `threads` workers evaluating (summed time / threads).
    pub fn render(&self, threads: usize) -> String {
        let wall_share = |d: Duration| d.as_secs_f64() / threads.max(1) as f64;
        let eval = wall_share(self.sandbox).max(1e-9);
        let pct = |p: f64| {
            self.instantiations.get(((self.instantiations.len() as f64 * p) as usize).min(self.instantiations.len().saturating_sub(1)))
        };
        let us = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1e6);
        let mean = self.instantiations.iter().map(Duration::as_secs_f64).sum::<f64>() / self.instantiations.len().max(1) as f64 * 1e6;
        let mut out = format!(
            "accounts: {}  items: {}  threads: {threads}\n\
             whole run (generate + sandbox + native): {:.2} s wall\n\
             generating inventories:      {:>9.2} s\n\
             encoding them (contract 1.1):{:>9.2} s  (once per account, read by sandbox and native)\n\
             sandbox scan:                {:>9.2} s\n\
             items evaluated per second:  {:>12.0}\n\
             check evaluations per second:{:>12.0}  ({} verdicts)\n\
             accounts per second:         {:>12.1}\n\
             instantiation per (account, plugin): mean {:.1} us, p50 {:.1} us, p99 {:.1} us\n\
             plugin errors:               {:>12}\n\
             peak memory:                 {:>9.0} MiB\n",
            self.accounts,
            self.items,
            self.wall.as_secs_f64(),
            wall_share(self.generate),
            wall_share(self.encode),
            eval,
            self.items as f64 / eval,
            self.findings as f64 / eval,
            self.findings,
            self.accounts as f64 / eval,
            mean,
            us(pct(0.5)),
            us(pct(0.99)),
            self.plugin_errors,
            self.peak_rss as f64 / (1 << 20) as f64,
        );
        if !self.native.is_zero() {
            out.push_str(&format!(
                "native scan (same checks):   {:>9.2} s  ({} verdicts)\n\
                 sandbox overhead:            {:>9.2}x native  ({:.2}x with the encoding added to both)\n",
                wall_share(self.native),
                self.native_findings,
                self.sandbox.as_secs_f64() / self.native.as_secs_f64(),
                (self.sandbox + self.encode).as_secs_f64() / (self.native + self.encode).as_secs_f64()
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use securebase_runtime::RuntimeOptions;

    #[test]
    fn sandbox_and_native_agree_on_a_synthetic_organization() {
        let rt = Runtime::new(RuntimeOptions::default()).unwrap();
        let plugins: Vec<_> = securebase_builtin_plugins::PLUGINS.iter().map(|(n, b)| rt.load(n, b).unwrap()).collect();
        let g = Generator { accounts: 4, resources_per_account: 300, seed: 3 };
        let m = run(g, &rt, &plugins, 2, true);
        assert_eq!(m.plugin_errors, 0);
        assert!(m.findings > 1_000, "{} verdicts", m.findings);
        assert_eq!(m.findings, m.native_findings, "the sandbox and the native run must produce the same verdicts");
        assert_eq!(m.instantiations.len(), 4 * plugins.len());
        assert!(m.render(2).contains("sandbox overhead"));
    }
}
