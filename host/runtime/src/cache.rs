//! On-disk cache of compiled plugins.
//!
//! Compiling a component with Cranelift takes far longer than loading native code, so
//! the host keeps what it compiled: `<dir>/<wasm sha256>-<engine hash>.cwasm`. The engine
//! hash covers wasmtime's version and every setting that changes generated code, so a new
//! host version or new limits never load stale code.
//!
//! Deserializing native code is only safe for code this host produced. The cache
//! therefore never takes artifacts from elsewhere: only files it wrote itself into a
//! directory it created with owner-only permissions, each with a sidecar SHA-256 checked
//! before use; anything that does not match is deleted and recompiled.

use crate::LoadError;
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds `Hash` output into SHA-256 so the engine's compatibility hash is stable across runs.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        let d = self.0.clone().finalize();
        u64::from_le_bytes(d[..8].try_into().expect("8 bytes"))
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

fn engine_hash(engine: &Engine) -> String {
    let mut h = ShaHasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut h);
    hex(&h.0.finalize()[..16])
}

/// The compile cache rooted at one directory.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// Opens (creating, owner-only) the cache directory.
    pub fn open(dir: PathBuf) -> Result<Self, LoadError> {
        let err = |message: String| LoadError::Cache { path: dir.clone(), message };
        std::fs::create_dir_all(&dir).map_err(|e| err(e.to_string()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| err(e.to_string()))?;
        }
        Ok(Self { dir })
    }

    /// Where the artifact for this wasm would live.
    pub fn artifact_path(&self, engine: &Engine, wasm_sha256: &str) -> PathBuf {
        self.dir.join(format!("{wasm_sha256}-{}.cwasm", engine_hash(engine)))
    }

    /// The cached component, or a fresh compile that is then stored. The flag says which.
    pub(crate) fn get_or_compile(&self, engine: &Engine, wasm: &[u8], sha256: &str, plugin: &str) -> Result<(Component, bool), LoadError> {
        let path = self.artifact_path(engine, sha256);
        if let Some(component) = self.load(engine, &path) {
            return Ok((component, true));
        }
        let compiled = engine
            .precompile_component(wasm)
            .map_err(|e| LoadError::Compile { plugin: plugin.to_string(), message: crate::error_chain(&e) })?;
        if let Err(e) = self.store(&path, &compiled) {
            // A read-only or full disk costs speed, not correctness.
            tracing::warn!(path = %path.display(), "could not write plugin cache: {e}");
        }
        // SAFETY: `compiled` was produced just now by `precompile_component` on this engine.
        #[allow(unsafe_code)]
        let component = unsafe { Component::deserialize(engine, &compiled) }
            .map_err(|e| LoadError::Compile { plugin: plugin.to_string(), message: crate::error_chain(&e) })?;
        Ok((component, false))
    }

    fn load(&self, engine: &Engine, path: &Path) -> Option<Component> {
        let bytes = std::fs::read(path).ok()?;
        let expected = std::fs::read_to_string(sidecar(path)).ok();
        if expected.as_deref().map(str::trim) != Some(sha256_hex(&bytes).as_str()) {
            tracing::warn!(path = %path.display(), "discarding cached plugin whose checksum does not match");
            let _ = std::fs::remove_file(path);
            let _ = std::fs::remove_file(sidecar(path));
            return None;
        }
        // SAFETY: the bytes are exactly what this cache wrote (checksum above) from
        // `precompile_component`, in a directory only this user can write; wasmtime
        // itself also refuses artifacts from an incompatible engine.
        #[allow(unsafe_code)]
        match unsafe { Component::deserialize(engine, &bytes) } {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::warn!(path = %path.display(), "discarding unusable cached plugin: {e}");
                let _ = std::fs::remove_file(path);
                None
            }
        }
    }

    fn store(&self, path: &Path, compiled: &[u8]) -> std::io::Result<()> {
        // Write to temporary names and rename, so a crash never leaves a torn artifact
        // that a later run would trust.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let unique = format!("{}-{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let tmp = self.dir.join(format!(".{unique}.tmp"));
        std::fs::write(&tmp, compiled)?;
        let tmp_sum = self.dir.join(format!(".{unique}.sum.tmp"));
        std::fs::write(&tmp_sum, sha256_hex(compiled))?;
        std::fs::rename(&tmp_sum, sidecar(path))?;
        std::fs::rename(&tmp, path)
    }
}

fn sidecar(path: &Path) -> PathBuf {
    path.with_extension("cwasm.sha256")
}
