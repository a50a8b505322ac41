//! Smoke tests of the binary's own surface. (Having an integration test here also makes
//! `cargo test --workspace` build the `securebase` binary that `tests/cli.rs` runs.)

use std::process::Command;

fn securebase(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_securebase")).args(args).output().unwrap()
}

#[test]
fn help_teaches_with_examples_and_limits() {
    let out = securebase(&["scan", "--help"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for want in ["--demo", "--inventory <DIR>", "--fail-on <SEVERITY>", "Sandbox limits", "--fuel <UNITS>", "Exit status"] {
        assert!(text.contains(want), "{want} missing from scan --help");
    }
    let top = String::from_utf8(securebase(&["--help"]).stdout).unwrap();
    assert!(top.contains("Examples:") && top.contains("securebase scan --demo"));
}

#[test]
fn scan_needs_a_source_and_refuses_switched_off_limits() {
    let out = securebase(&["scan"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--demo"));
    let out = securebase(&["scan", "--demo", "--fuel", "0", "--no-cache"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("limit `fuel` must be greater than zero"));
}
