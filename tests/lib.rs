//! Shared helpers for the end-to-end tests: the test guest programs (built by this
//! crate's build script from `tests/guests/`), inventories with a hostile "mode", and
//! the `securebase` binary.

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

/// The built-in plugins, loaded into `runtime`.
pub fn builtins(runtime: &Runtime) -> Vec<LoadedPlugin> {
    securebase_builtin_plugins::PLUGINS.iter().map(|(name, bytes)| runtime.load(name, bytes).expect("built-in plugin loads")).collect()
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
    if let Some(p) = std::env::var_os("SECUREBASE_BIN") {
        return p.into();
    }
    // Test executables live in <target>/<profile>/deps/; the binary one level up.
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().and_then(|d| d.parent()).unwrap().join("securebase");
    assert!(path.exists(), "{} not found: build it with `cargo build -p securebase` (cargo test --workspace does)", path.display());
    path
}

/// moto's server (a local AWS mock) for the collection tests.
pub mod moto {
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    /// moto's server on a free loopback port, killed on drop.
    pub struct Moto {
        child: Child,
        /// Its endpoint URL.
        pub url: String,
    }

    impl Moto {
        /// Starts it and waits until it answers.
        pub fn start() -> Self {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let mut child = Command::new("python3")
                .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("python3 -m moto.server (tests/run installs moto[server])");
            let deadline = Instant::now() + Duration::from_secs(60);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("moto did not start on port {port}");
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Self { child, url: format!("http://127.0.0.1:{port}") }
        }

        /// Seeds it with [`SEED`] (boto3).
        pub fn seed(&self) {
            let ok = Command::new("python3").args(["-c", SEED, &self.url]).status().unwrap();
            assert!(ok.success(), "seeding moto with boto3");
        }
    }

    impl Drop for Moto {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// A known mix: one bucket right on every S3 check, one wrong on all of them, a log bucket.
    pub const SEED: &str = r#"
import boto3, json, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
s3.create_bucket(Bucket="good-bucket")
s3.put_bucket_versioning(Bucket="good-bucket", VersioningConfiguration={"Status": "Enabled"})
s3.put_public_access_block(Bucket="good-bucket", PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
s3.put_bucket_encryption(Bucket="good-bucket", ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:123456789012:key/k1"}}]})
s3.put_bucket_policy(Bucket="good-bucket", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::good-bucket", "arn:aws:s3:::good-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
s3.create_bucket(Bucket="good-logs")
s3.put_bucket_acl(Bucket="good-logs", ACL="log-delivery-write")
s3.put_bucket_logging(Bucket="good-bucket", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "good-logs", "TargetPrefix": "s3/"}})
s3.create_bucket(Bucket="bad-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
s3.put_bucket_acl(Bucket="bad-bucket", ACL="public-read")
s3.put_bucket_tagging(Bucket="bad-bucket", Tagging={"TagSet": [{"Key": "team", "Value": "web"}]})
"#;
}
