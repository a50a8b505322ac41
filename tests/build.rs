//! Builds the test guest programs (`tests/guests/*`) and tells the tests where they are.

fn main() {
    let built = securebase_wasm_build::build(&[
        "guest-hostile",
        "guest-bad-import",
        "guest-file-snoop",
        "guest-future-major",
        "guest-contract-1-0",
        "guest-tenant-policy",
        "guest-tenant-policy-v2",
    ]);
    for (package, path) in built {
        let var = package.trim_start_matches("guest-").replace('-', "_").to_uppercase();
        println!("cargo:rustc-env=GUEST_{var}={}", path.display());
    }
}
