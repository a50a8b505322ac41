//! Compiles the built-in plugins to components for embedding, and lists the same crates
//! compiled natively. Both lists come from this crate's `[dependencies]`, where every
//! built-in plugin is declared once.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.toml");
    let manifest = std::fs::read_to_string("Cargo.toml").expect("the crate's Cargo.toml");
    let packages = plugin_packages(&manifest);
    assert!(!packages.is_empty(), "Cargo.toml [dependencies] declares no securebase-plugin-<service> crate");
    let built = securebase_wasm_build::build(&packages.iter().map(String::as_str).collect::<Vec<_>>());
    let mut code = String::from("/// The built-in plugins: (file name, component bytes).\npub const PLUGINS: &[(&str, &[u8])] = &[\n");
    for (package, path) in &built {
        let name = package.trim_start_matches("securebase-plugin-");
        writeln!(code, "    (\"{name}.wasm\", include_bytes!({:?})),", path.display().to_string()).unwrap();
    }
    code.push_str("];\n\n/// The same plugins compiled for the host, in the same order: (name, plugin).\n");
    code.push_str("pub static NATIVE: &[(&str, &securebase_plugin_sdk::Plugin)] = &[\n");
    for package in &packages {
        let name = package.trim_start_matches("securebase-plugin-");
        writeln!(code, "    (\"{name}\", &{}::PLUGIN),", package.replace('-', "_")).unwrap();
    }
    code.push_str("];\n");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("plugins.rs"), code).unwrap();
}

/// The `securebase-plugin-<service>` crates of the `[dependencies]` table, in order (the
/// SDK is a dependency too, but no plugin).
fn plugin_packages(manifest: &str) -> Vec<String> {
    let mut in_dependencies = false;
    let mut packages = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        let Some((key, _)) = line.split_once('=') else { continue };
        // `name = {...}` or `name.workspace = true`
        let key = key.trim().split('.').next().unwrap_or_default();
        if in_dependencies && key.starts_with("securebase-plugin-") && key != "securebase-plugin-sdk" {
            packages.push(key.to_string());
        }
    }
    packages
}
