//! Runtime tests against the real built-in components: the compile cache and its
//! integrity checks, and allocator parity.

use crate::{AllocatorChoice, Runtime, RuntimeOptions, Status};
use securebase_inventory::demo;
use std::sync::Arc;

fn s3() -> &'static [u8] {
    securebase_builtin_plugins::PLUGINS.iter().find(|(n, _)| *n == "s3.wasm").unwrap().1
}

fn cached(dir: &std::path::Path) -> Runtime {
    Runtime::new(RuntimeOptions { cache_dir: Some(dir.to_path_buf()), ..RuntimeOptions::default() }).unwrap()
}

#[test]
fn metadata_is_read_and_validated() {
    let rt = Runtime::new(RuntimeOptions::default()).unwrap();
    let p = rt.load("s3.wasm", s3()).unwrap();
    let info = p.info();
    assert_eq!(info.name, "s3");
    assert_eq!(info.sha256, crate::cache::sha256_hex(s3()));
    let enc = info.check("s3_bucket_default_encryption").unwrap();
    assert_eq!(enc.aws_config_rule(), Some("S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"));
    assert_eq!(enc.resource_types, vec!["AWS::S3::Bucket"]);
}

#[test]
fn the_cache_is_used_and_a_tampered_artifact_is_never_loaded() {
    let dir = tempfile::tempdir().unwrap();
    assert!(!cached(dir.path()).load("s3.wasm", s3()).unwrap().from_cache());
    let rt = cached(dir.path());
    assert!(rt.load("s3.wasm", s3()).unwrap().from_cache());

    let artifact = rt.cache.as_ref().unwrap().artifact_path(&rt.engine.engine, &crate::cache::sha256_hex(s3()));
    let mut bytes = std::fs::read(&artifact).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&artifact, &bytes).unwrap();
    let reloaded = cached(dir.path()).load("s3.wasm", s3()).unwrap();
    assert!(!reloaded.from_cache(), "a modified artifact must be recompiled, not deserialized");
    // ... and the fresh artifact replaced it.
    assert!(cached(dir.path()).load("s3.wasm", s3()).unwrap().from_cache());

    // An artifact dropped in without the host's checksum is ignored too.
    std::fs::remove_file(artifact.with_extension("cwasm.sha256")).unwrap();
    assert!(!cached(dir.path()).load("s3.wasm", s3()).unwrap().from_cache());
}

#[test]
fn pooling_and_on_demand_allocation_agree() {
    let account = Arc::new(demo().accounts.remove(0));
    let run = |allocator| {
        let rt = Runtime::new(RuntimeOptions { allocator, ..RuntimeOptions::default() }).unwrap();
        let p = rt.load("s3.wasm", s3()).unwrap();
        let info = p.info().clone();
        (rt.allocator(), rt.evaluate(&p, &account), info)
    };
    let (a, pooled, info) = run(AllocatorChoice::Pooling);
    let (b, on_demand, _) = run(AllocatorChoice::OnDemand);
    assert_eq!((a.as_str(), b.as_str()), ("pooling", "on-demand"));
    let pooled = pooled.result.unwrap();
    assert_eq!(pooled, on_demand.result.unwrap());
    assert!(pooled.iter().any(|f| f.status == Status::Fail) && pooled.iter().any(|f| f.status == Status::Pass));
    // Every S3 check reports once per resource of the type it declares.
    let expected: usize = info.checks.iter().map(|c| c.resource_types.iter().map(|t| account.items(t).len()).sum::<usize>()).sum();
    assert_eq!(pooled.len(), expected);
}

#[test]
fn fuel_use_is_deterministic() {
    let account = Arc::new(demo().accounts.remove(0));
    let rt = Runtime::new(RuntimeOptions::default()).unwrap();
    let p = rt.load("s3.wasm", s3()).unwrap();
    let a = rt.evaluate(&p, &account).fuel_used;
    let b = rt.evaluate(&p, &account).fuel_used;
    assert!(a > 0);
    assert_eq!(a, b);
}

#[test]
fn auto_falls_back_to_on_demand_when_the_pool_cannot_be_reserved() {
    // A pool this large needs more address space than any machine has.
    let huge = RuntimeOptions { max_instances: u32::MAX / 4, ..RuntimeOptions::default() };
    let rt = Runtime::new(RuntimeOptions { allocator: AllocatorChoice::Auto, ..huge.clone() }).unwrap();
    assert_eq!(rt.allocator().as_str(), "on-demand");
    assert!(rt.load("s3.wasm", s3()).is_ok(), "the fallback engine works");
    assert!(Runtime::new(RuntimeOptions { allocator: AllocatorChoice::Pooling, ..huge }).is_err(), "explicit pooling reports the failure");
}
