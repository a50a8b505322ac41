//! The built-in control plugins (`plugins/*` but the SDK), one per AWS service family, compiled
//! to WebAssembly components by this crate's build script and embedded, so the
//! `securebase` binary carries them and needs no files beside it.
//!
//! They run in the same sandbox as any third-party plugin: being built in earns them
//! no extra access.

include!(concat!(env!("OUT_DIR"), "/plugins.rs"));

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_is_a_component() {
        assert_eq!(super::PLUGINS.len(), 11);
        for (name, bytes) in super::PLUGINS {
            // Component binaries start with the wasm magic and the component layer (0x0d 0x00 0x01 0x00).
            assert_eq!(&bytes[..4], b"\0asm", "{name}");
            assert_eq!(&bytes[4..8], &[0x0d, 0x00, 0x01, 0x00], "{name} is a core module, not a component");
        }
    }
}
