//! Shared helpers for the end-to-end tests: the test guest programs (built by this
//! crate's build script from `tests/guests/`), inventories with a hostile "mode", and
//! the `securebase` and `securebase-bench` binaries.

use securebase_inventory::{AccountInventory, ConfigItem, Snapshot};
use securebase_runtime::{Limits, LoadedPlugin, Runtime, RuntimeOptions};
use std::path::PathBuf;
use std::sync::Arc;

/// The component that misbehaves according to its account's `SecureBase::Test::Mode` item.
pub const HOSTILE: &str = env!("GUEST_HOSTILE");
/// A plugin that imports `evil:exfil/net`.
pub const BAD_IMPORT: &str = env!("GUEST_BAD_IMPORT");
/// A plugin that reads a file with `std::fs`.
pub const FILE_SNOOP: &str = env!("GUEST_FILE_SNOOP");
/// A component exporting `securebase:control@2.0.0`.
pub const FUTURE_MAJOR: &str = env!("GUEST_FUTURE_MAJOR");
/// A plugin built against `securebase:control@1.0.0` (check `v1_s3_bucket_versioning`).
pub const CONTRACT_1_0: &str = env!("GUEST_CONTRACT_1_0");
/// A tenant's own plugin `acme-policy` 1.0.0 (check `acme_s3_bucket_owner_tag`).
pub const TENANT_POLICY: &str = env!("GUEST_TENANT_POLICY");
/// Version 2.0.0 of it (stricter: also wants a `cost-center` tag).
pub const TENANT_POLICY_V2: &str = env!("GUEST_TENANT_POLICY_V2");

/// Limits small enough that a misbehaving plugin is stopped quickly, large enough
/// for the built-in plugins on the demo organization.
pub fn test_limits() -> Limits {
    Limits {
        fuel: 300_000_000,
        timeout: std::time::Duration::from_secs(20),
        memory_bytes: 64 << 20,
        max_findings: 1_000,
        ..Limits::default()
    }
}

/// A runtime with `limits` and no disk cache.
pub fn runtime(limits: Limits) -> Arc<Runtime> {
    Arc::new(Runtime::new(RuntimeOptions { limits, ..RuntimeOptions::default() }).expect("runtime"))
}

/// Loads a guest program from its path.
pub fn load(runtime: &Runtime, path: &str) -> Result<LoadedPlugin, securebase_runtime::LoadError> {
    let bytes = std::fs::read(path).expect("guest program was built");
    runtime.load(path.rsplit('/').next().unwrap(), &bytes)
}

/// The `SecureBase::Test::Mode` item that tells the hostile guest what to do.
pub fn mode_item(account: &str, config: serde_json::Value) -> ConfigItem {
    ConfigItem {
        resource_type: "SecureBase::Test::Mode".into(),
        resource_id: "mode".into(),
        resource_name: None,
        account_id: account.into(),
        aws_region: "us-east-1".into(),
        arn: None,
        configuration: config.to_string(),
        supplementary_configuration: "{}".into(),
        tags: vec![],
    }
}

/// `account` with extra items.
pub fn with_items(account: &AccountInventory, extra: Vec<ConfigItem>) -> AccountInventory {
    let items: Vec<ConfigItem> = account.iter().cloned().chain(extra).collect();
    AccountInventory::new("test", account.account_id(), account.account_name().map(str::to_string), account.captured_at(), items).unwrap()
}

/// The demo organization with the hostile mode `config` set on its first account.
pub fn demo_with_mode(config: serde_json::Value) -> Snapshot {
    let mut demo = securebase_inventory::demo();
    let first = &demo.accounts[0];
    demo.accounts[0] = with_items(first, vec![mode_item(first.account_id(), config)]);
    demo
}

/// The `securebase` binary built by this `cargo test` run (or `SECUREBASE_BIN`).
pub fn binary() -> PathBuf {
    built_binary("securebase", "SECUREBASE_BIN")
}

/// The `securebase-bench` binary (host/bench) built by this `cargo test` run (or `SECUREBASE_BENCH_BIN`).
pub fn bench_binary() -> PathBuf {
    built_binary("securebase-bench", "SECUREBASE_BENCH_BIN")
}

/// The binary `name` of the package `name`, next to the test executables, or where `var` says.
fn built_binary(name: &str, var: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(var) {
        return p.into();
    }
    // Test executables live in <target>/<profile>/deps/; the binary one level up.
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().and_then(|d| d.parent()).unwrap().join(name);
    assert!(path.exists(), "{} not found: build it with `cargo build -p {name}` (cargo test --workspace does)", path.display());
    path
}

pub mod server;

/// A PDF's text with its layout kept (poppler's `pdftotext -layout`; tests/run installs
/// poppler-utils).
pub fn pdftotext(pdf: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8(out.stdout).unwrap()
}

/// moto's server (a local AWS mock) for the collection tests.
pub mod moto {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    /// A child process on a free loopback port, killed on drop (moto's server, and
    /// chromedriver for the portal's browser test).
    pub struct Server {
        child: Child,
        /// Its endpoint URL.
        pub url: String,
    }

    /// A free loopback port (bound and released: the child binds it next).
    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    /// `tests/moto/NAME`.
    pub fn script(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("moto").join(name)
    }

    impl Server {
        /// Runs `python3 ARGS` (which must listen on `port`) and waits until it answers.
        pub fn spawn(what: &str, port: u16, args: &[&str], env: &[(&str, &str)]) -> Self {
            Self::spawn_program("python3", "tests/run installs moto[server]", what, port, args, env)
        }

        /// Runs `program ARGS` (which must listen on `port`) and waits until it answers;
        /// `hint` says where the program comes from when it cannot start.
        pub fn spawn_program(program: &str, hint: &str, what: &str, port: u16, args: &[&str], env: &[(&str, &str)]) -> Self {
            let mut child = Command::new(program)
                .args(args)
                .envs(env.iter().copied())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("starting {what} with {program} ({hint}): {e}"));
            let deadline = Instant::now() + Duration::from_secs(60);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                if Instant::now() > deadline || child.try_wait().ok().flatten().is_some() {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("{what} did not start on port {port}");
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Self { child, url: format!("http://127.0.0.1:{port}") }
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// moto's server: the benchmarks' own ([`securebase_bench::collect::Moto`]).
    pub struct Moto(pub securebase_bench::collect::Moto);

    impl Moto {
        /// Starts it without moto's thousands of default AMIs (and their snapshots).
        pub fn start() -> Self {
            Self(securebase_bench::collect::Moto::start().unwrap_or_else(|e| panic!("{e} (tests/run installs moto[server])")))
        }

        /// Its endpoint URL.
        pub fn url(&self) -> &str {
            &self.0.url
        }

        /// Seeds it with `tests/moto/seed.py` (boto3); returns the ids of what it made, by name.
        pub fn seed(&self) -> BTreeMap<String, String> {
            let out = Command::new("python3").arg(script("seed.py")).arg(self.url()).output().unwrap();
            assert!(out.status.success(), "seeding moto with boto3: {}", String::from_utf8_lossy(&out.stderr));
            serde_json::from_slice(&out.stdout).expect("seed.py prints the ids it made as JSON")
        }
    }
}
