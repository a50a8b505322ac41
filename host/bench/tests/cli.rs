//! Smoke tests of the `securebase-bench` binary's own surface. (Having an integration test
//! here also makes `cargo test --workspace` build the binary that `tests/cli.rs` runs.)

use std::process::Command;

fn bench(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_securebase-bench")).args(args).output().unwrap()
}

#[test]
fn help_lists_the_benchmarks() {
    let out = bench(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for want in ["generate", "scan", "api", "--verbose"] {
        assert!(text.contains(want), "{want} missing from --help");
    }
    let scan = String::from_utf8(bench(&["scan", "--help"]).stdout).unwrap();
    for want in ["--accounts", "--resources-per-account", "--seed", "--threads <N>", "--no-native"] {
        assert!(scan.contains(want), "{want} missing from scan --help");
    }
}

#[test]
fn api_refuses_a_zero_rate_as_input() {
    let out = bench(&["api", "--database-url", "sqlite::memory:", "--rate", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be positive"));
}
