//! Scanners of the built-in plugins for tests and benchmarks (feature `testing`).

use crate::Scanner;
use securebase_runtime::{Limits, LoadedPlugin, Runtime, RuntimeOptions};
use std::sync::Arc;

/// A scanner of the built-in plugins (`securebase_builtin_plugins::PLUGINS`) scoring the
/// built-in frameworks (`securebase_scoring::builtin()`), on a new runtime with `limits`
/// and otherwise default options (no disk cache), with `threads` workers (`None`: one per
/// core). Panics if any of it fails to set up.
pub fn builtin_scanner(limits: Limits, threads: Option<usize>) -> Scanner {
    let runtime = Runtime::new(RuntimeOptions { limits, ..RuntimeOptions::default() }).expect("runtime");
    builtin_scanner_with(Arc::new(runtime), vec![], threads)
}

/// [`builtin_scanner`] on an existing `runtime`, with `extra` plugins (loaded into it)
/// after the built-in ones.
pub fn builtin_scanner_with(runtime: Arc<Runtime>, extra: Vec<LoadedPlugin>, threads: Option<usize>) -> Scanner {
    let mut plugins: Vec<LoadedPlugin> = securebase_builtin_plugins::PLUGINS
        .iter()
        .map(|(name, bytes)| runtime.load(name, bytes).unwrap_or_else(|e| panic!("built-in plugin {name} loads: {e}")))
        .collect();
    plugins.extend(extra);
    Scanner::new(runtime, plugins, securebase_scoring::builtin(), threads).expect("scanner of the built-in plugins")
}
