//! Build-script helper: compiles workspace crates to `wasm32-wasip2` components.
//!
//! Used by the build scripts of `securebase-builtin-plugins` (the plugins the CLI
//! embeds) and of the end-to-end tests (the hostile guest programs), in the manner of
//! wasmtime's test-programs: a nested `cargo build` with its own target directory, so
//! it never waits on the lock the outer build holds. Installing the target when it is
//! missing is part of the job, so a fresh machine needs no manual step.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The target plugins are built for.
pub const TARGET: &str = "wasm32-wasip2";
/// The cargo profile plugins are built with (see the workspace `Cargo.toml`).
pub const PROFILE: &str = "plugin";

/// Builds `packages` (workspace package names) and returns each one's `.wasm` path.
/// Panics with a readable message on failure: this only ever runs in a build script.
pub fn build(packages: &[&str]) -> Vec<(String, PathBuf)> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run from a build script"));
    let root = workspace_root(&manifest_dir);
    for dir in ["wit", "plugins", "tests/guests", "host/inventory/src"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    ensure_target();
    let target_dir = target_dir();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root).args(["build", "--locked", "--target", TARGET, "--profile", PROFILE, "--target-dir"]).arg(&target_dir);
    for p in packages {
        cmd.args(["-p", p]);
    }
    // The outer build's flags and wrappers are for the host target, not for wasm.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_WRAPPER",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status().unwrap_or_else(|e| panic!("could not run cargo to build plugins: {e}"));
    assert!(status.success(), "building {packages:?} for {TARGET} failed (see the cargo output above)");
    packages
        .iter()
        .map(|p| {
            let path = target_dir.join(TARGET).join(PROFILE).join(format!("{}.wasm", p.replace('-', "_")));
            assert!(path.exists(), "{} was not produced", path.display());
            (p.to_string(), path)
        })
        .collect()
}

fn workspace_root(start: &Path) -> PathBuf {
    start
        .ancestors()
        .find(|d| d.join("Cargo.lock").exists() && d.join("wit").is_dir())
        .unwrap_or_else(|| panic!("no workspace root above {}", start.display()))
        .to_path_buf()
}

/// `<outer target dir>/securebase-wasm`: stable across profiles and build-script
/// hashes, so the plugins compile once and are shared by dev, test and release builds.
fn target_dir() -> PathBuf {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("run from a build script"));
    // OUT_DIR is <target>[/<triple>]/<profile>/build/<pkg>-<hash>/out
    let base = out.ancestors().nth(4).expect("OUT_DIR has the usual shape");
    let base = if base.join("CACHEDIR.TAG").exists() || base.parent().is_none() {
        base
    } else {
        base.parent().filter(|p| p.join("CACHEDIR.TAG").exists()).unwrap_or(base)
    };
    base.join("securebase-wasm")
}

fn ensure_target() {
    let installed = Command::new("rustup").args(["target", "list", "--installed"]).output();
    match installed {
        Ok(out) if String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == TARGET) => {}
        Ok(_) => {
            println!("cargo:warning=installing the {TARGET} target with rustup (one time)");
            let ok = Command::new("rustup").args(["target", "add", TARGET]).status().is_ok_and(|s| s.success());
            assert!(ok, "`rustup target add {TARGET}` failed; install the target and build again");
        }
        // Without rustup (a distro toolchain), let cargo report a missing target itself.
        Err(_) => {}
    }
}
