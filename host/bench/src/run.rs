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
    vec![
        &securebase_plugin_s3::PLUGIN,
        &securebase_plugin_ec2::PLUGIN,
        &securebase_plugin_iam::PLUGIN,
        &securebase_plugin_cloudtrail::PLUGIN,
        &securebase_plugin_cloudwatch::PLUGIN,
        &securebase_plugin_config::PLUGIN,
        &securebase_plugin_kms::PLUGIN,
        &securebase_plugin_rds::PLUGIN,
        &securebase_plugin_guardduty::PLUGIN,
        &securebase_plugin_securityhub::PLUGIN,
        &securebase_plugin_efs::PLUGIN,
    ]
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
    /// Time spent only generating the inventories (subtracted from both runs).
    pub generate: Duration,
    /// Sandbox run, generation included.
    pub sandbox: Duration,
    /// Native run, generation included; `None` when skipped.
    pub native: Option<Duration>,
    /// Per-(account, plugin) store creation + instantiation times, sorted.
    pub instantiations: Vec<Duration>,
    /// Peak resident memory of the process, bytes (Linux; 0 elsewhere).
    pub peak_rss: u64,
}

/// Peak resident set size from `/proc/self/status` (`VmHWM`).
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
        .map_or(0, |kb| kb * 1024)
}

/// Runs the benchmark on `threads` workers.
pub fn run(generator: Generator, runtime: &Runtime, plugins: &[LoadedPlugin], threads: usize, native: bool) -> Measurement {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).stack_size(8 << 20).build().expect("worker pool");
    pool.install(|| {
        // 1. Generation alone, to subtract it from both runs.
        let started = Instant::now();
        let items: u64 = generator.accounts().par_bridge().map(|a| a.len() as u64).sum();
        let generate = started.elapsed();

        // 2. The sandbox. Accounts stream through par_bridge: only those in flight are in memory.
        let instantiations = Mutex::new(Vec::with_capacity((generator.accounts as usize) * plugins.len()));
        let started = Instant::now();
        let (findings, plugin_errors) = generator
            .accounts()
            .par_bridge()
            .map(|account| {
                let account = Arc::new(account);
                let mut found = 0u64;
                let mut errors = 0u64;
                let mut times = Vec::with_capacity(plugins.len());
                for p in plugins {
                    let eval = runtime.evaluate(p, &account);
                    times.push(eval.instantiate);
                    match eval.result {
                        Ok(f) => found += f.len() as u64,
                        Err(_) => errors += 1,
                    }
                }
                instantiations.lock().unwrap_or_else(|p| p.into_inner()).extend(times);
                (found, errors)
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let sandbox = started.elapsed();

        // 3. The same checks, natively, on the same inventories.
        let (native, native_findings) = if native {
            let natives = native_plugins();
            let started = Instant::now();
            let n: u64 = generator
                .accounts()
                .par_bridge()
                .map(|account| {
                    let inventory = securebase_plugin_sdk::testing::inventory(Arc::new(account));
                    natives.iter().map(|p| p.evaluate(&inventory).len() as u64).sum::<u64>()
                })
                .sum();
            (Some(started.elapsed()), n)
        } else {
            (None, 0)
        };

        let mut instantiations = instantiations.into_inner().unwrap_or_else(|p| p.into_inner());
        instantiations.sort();
        Measurement {
            accounts: generator.accounts,
            items,
            findings,
            native_findings,
            plugin_errors,
            generate,
            sandbox,
            native,
            instantiations,
            peak_rss: peak_rss(),
        }
    })
}

impl Measurement {
    /// The figures, one per line, for people and for the README.
    pub fn render(&self, threads: usize) -> String {
        let secs = |d: Duration| d.as_secs_f64();
        let eval = (secs(self.sandbox) - secs(self.generate)).max(1e-9);
        let pct = |p: f64| {
            self.instantiations.get(((self.instantiations.len() as f64 * p) as usize).min(self.instantiations.len().saturating_sub(1)))
        };
        let us = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1e6);
        let mean = self.instantiations.iter().map(Duration::as_secs_f64).sum::<f64>() / self.instantiations.len().max(1) as f64 * 1e6;
        let mut out = format!(
            "accounts: {}  items: {}  threads: {threads}\n\
             generation alone:            {:>9.2} s (subtracted below)\n\
             sandbox total:               {:>9.2} s  ({:.2} s evaluating)\n\
             items evaluated per second:  {:>12.0}\n\
             check evaluations per second:{:>12.0}  ({} verdicts)\n\
             accounts per second:         {:>12.1}\n\
             instantiation per (account, plugin): mean {:.1} us, p50 {:.1} us, p99 {:.1} us\n\
             plugin errors:               {:>12}\n\
             peak memory:                 {:>9.0} MiB\n",
            self.accounts,
            self.items,
            secs(self.generate),
            secs(self.sandbox),
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
        if let Some(native) = self.native {
            let native_eval = (secs(native) - secs(self.generate)).max(1e-9);
            out.push_str(&format!(
                "native total:                {:>9.2} s  ({:.2} s evaluating, {} verdicts)\n\
                 sandbox overhead:            {:>9.2}x native\n",
                secs(native),
                native_eval,
                self.native_findings,
                eval / native_eval
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
