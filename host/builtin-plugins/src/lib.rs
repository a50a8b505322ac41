//! The built-in control plugins (`plugins/*` but the SDK), one per AWS service family, compiled
//! to WebAssembly components by this crate's build script and embedded, so the
//! `securebase` binary carries them and needs no files beside it.
//!
//! They run in the same sandbox as any third-party plugin: being built in earns them
//! no extra access. [`NATIVE`] holds the same crates compiled for the host, for the
//! benchmark's native baseline and the tests that compare the two.
//!
//! Every built-in plugin is declared once, as a dependency in this crate's
//! `Cargo.toml`; both lists are derived from there by the build script.

include!(concat!(env!("OUT_DIR"), "/plugins.rs"));

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_is_a_component() {
        // Every plugin folder (a component crate named securebase-plugin-<folder>, so not the
        // SDK) is embedded, and only those.
        let plugins = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
        let mut folders: Vec<String> = std::fs::read_dir(&plugins)
            .unwrap()
            .flatten()
            .filter(|e| {
                std::fs::read_to_string(e.path().join("Cargo.toml")).is_ok_and(|t| {
                    t.contains(&format!("name = \"securebase-plugin-{}\"", e.file_name().to_string_lossy())) && t.contains("cdylib")
                })
            })
            .map(|e| format!("{}.wasm", e.file_name().to_string_lossy()))
            .collect();
        folders.sort();
        let mut embedded: Vec<String> = super::PLUGINS.iter().map(|(name, _)| name.to_string()).collect();
        embedded.sort();
        assert!(folders.len() >= 17, "{folders:?}");
        assert_eq!(embedded, folders);
        // The native twins are the same plugins in the same order.
        let native: Vec<String> = super::NATIVE.iter().map(|(name, _)| format!("{name}.wasm")).collect();
        let embedded_in_order: Vec<&str> = super::PLUGINS.iter().map(|(name, _)| *name).collect();
        assert_eq!(native, embedded_in_order);
        for (name, bytes) in super::PLUGINS {
            // Component binaries start with the wasm magic and the component layer (0x0d 0x00 0x01 0x00).
            assert_eq!(&bytes[..4], b"\0asm", "{name}");
            assert_eq!(&bytes[4..8], &[0x0d, 0x00, 0x01, 0x00], "{name} is a core module, not a component");
        }
    }
}
