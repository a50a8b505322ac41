//! `securebase plugins`: the loaded plugins and the checks each implements.

use super::common::{load_plugins, runtime};
use crate::EXIT_OK;
use crate::args::{ListFormat, PluginsArgs};
use anyhow::Result;

pub(crate) fn run(args: &PluginsArgs) -> Result<u8> {
    let runtime = runtime(&args.plugins, None)?;
    let plugins = load_plugins(&runtime, &args.plugins)?;
    if let ListFormat::Json = args.format {
        // Services are counted from the resource types (AWS::<Service>::<Type>).
        let services: std::collections::BTreeSet<&str> = plugins
            .iter()
            .flat_map(|p| p.info().checks.iter().flat_map(|c| c.resource_types.iter()))
            .filter_map(|t| t.split("::").nth(1))
            .collect();
        let doc = serde_json::json!({
            "plugins": plugins.iter().map(|p| p.info().to_json()).collect::<Vec<_>>(),
            "total_plugins": plugins.len(),
            "total_checks": plugins.iter().map(|p| p.info().checks.len()).sum::<usize>(),
            "services": services,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(EXIT_OK);
    }
    let mut out = String::new();
    for p in &plugins {
        let i = p.info();
        // Names, versions and titles are the plugin's words: escaped before they reach a terminal.
        let safe = securebase_reports::terminal_safe;
        out.push_str(&format!("{} {}  ({} checks, sha256 {})\n", i.name, safe(&i.version), i.checks.len(), &i.sha256[..16]));
        for c in &i.checks {
            let rule = c.aws_config_rule().map(|r| format!("  [{}]", safe(r))).unwrap_or_default();
            out.push_str(&format!("  {:<8} {}{rule}\n           {}\n", c.severity.as_str(), c.id, safe(&c.title)));
        }
    }
    let total: usize = plugins.iter().map(|p| p.info().checks.len()).sum();
    out.push_str(&format!("{} plugins, {total} checks; sandbox allocator: {}\n", plugins.len(), runtime.allocator().as_str()));
    print!("{out}");
    Ok(EXIT_OK)
}
