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

/// A component of several core modules, each with its own memory (or table): every
/// one stays under the limit, together they do not. The limiter sums them, so the
/// instance is held to one budget; the pooling allocator also refuses a component
/// holding more memory slots than a plugin needs.
#[test]
fn memory_and_table_limits_hold_for_the_whole_instance() {
    use wasmtime::component::{Component, Linker};
    const PAGE: usize = 64 << 10;
    let limits = crate::Limits { memory_bytes: 128 * PAGE, ..crate::Limits::default() };
    let memories = r#"(component
        (core module $m
            (memory 1)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
        (core instance $a (instantiate $m))
        (core instance $b (instantiate $m))
        (func (export "grow-a") (param "pages" u32) (result s32) (canon lift (core func $a "grow")))
        (func (export "grow-b") (param "pages" u32) (result s32) (canon lift (core func $b "grow"))))"#;
    // One memory more than a component may hold of the pool.
    let too_many = crate::engine::MEMORIES_PER_COMPONENT + 1;
    let many_memories = format!(
        "(component (core module $m (memory 1)) {})",
        (0..too_many).map(|i| format!("(core instance $i{i} (instantiate $m))")).collect::<String>()
    );
    let tables = r#"(component
        (core module $t (table 600000 funcref))
        (core instance $a (instantiate $t))
        (core instance $b (instantiate $t)))"#;
    let mut ran = 0;
    for allocator in [AllocatorChoice::OnDemand, AllocatorChoice::Pooling] {
        let rt = match Runtime::new(RuntimeOptions { limits: limits.clone(), allocator, ..RuntimeOptions::default() }) {
            Ok(rt) => rt,
            // A machine that refuses the pool's reservation: on-demand is what runs there.
            Err(e) if allocator == AllocatorChoice::Pooling => {
                eprintln!("pooling allocator unavailable: {e}");
                continue;
            }
            Err(e) => panic!("{e}"),
        };
        ran += 1;
        let engine = &rt.engine.engine;
        let linker: Linker<crate::sandbox::State> = Linker::new(engine);
        let component = Component::new(engine, wat::parse_str(memories).unwrap()).unwrap();
        let mut store = crate::sandbox::new_store(&rt.engine, &limits, None).unwrap();
        let instance = linker.instantiate(&mut store, &component).unwrap();
        let grow = |store: &mut wasmtime::Store<crate::sandbox::State>, name: &str, pages: u32| {
            let f = instance.get_typed_func::<(u32,), (i32,)>(&mut *store, name).unwrap();
            f.call(&mut *store, (pages,)).map(|(old,)| old)
        };
        // 100 more pages in the first memory: 102 of 128 pages in all.
        assert_eq!(grow(&mut store, "grow-a", 100).unwrap(), 1, "{allocator:?}");
        // 100 more in the second would be 101 pages there (under the limit on its own), 202 in all.
        let e = grow(&mut store, "grow-b", 100).expect_err("the second memory may not take the instance past its limit");
        assert!(format!("{e:?}").contains("limit is 8388608 bytes per instance"), "{allocator:?}: {e:?}");

        // The pool refuses a table this big already when compiling; on demand, the
        // limiter refuses the second one.
        let mut store = crate::sandbox::new_store(&rt.engine, &limits, None).unwrap();
        let e = Component::new(engine, wat::parse_str(tables).unwrap())
            .and_then(|component| linker.instantiate(&mut store, &component).map(|_| ()))
            .expect_err("1.2 million table elements in all");
        assert!(format!("{e:?}").contains("element"), "{allocator:?}: {e:?}");

        let mut store = crate::sandbox::new_store(&rt.engine, &limits, None).unwrap();
        let many = Component::new(engine, wat::parse_str(&many_memories).unwrap())
            .and_then(|component| linker.instantiate(&mut store, &component).map(|_| ()));
        if allocator == AllocatorChoice::Pooling {
            let e = many.expect_err("one component holds few pool slots");
            let limit = crate::engine::MEMORIES_PER_COMPONENT;
            assert!(format!("{e:?}").contains(&format!("exceeds the configured maximum of {limit}")), "{e:?}");
        } else {
            many.expect("on demand, memories are bounded by size, not count");
        }
    }
    assert!(ran >= 1);
}
