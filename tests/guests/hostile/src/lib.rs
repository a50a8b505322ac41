//! Test guest: a plugin that misbehaves on demand.
//!
//! What it does is chosen per account by a configuration item of type
//! `SecureBase::Test::Mode` (`configuration.mode`), so one component serves every
//! hostile-plugin test in `tests/hostile.rs`. It implements the WIT exports by hand
//! (not through the SDK's `Plugin`) so it can return things the SDK would never
//! produce: undeclared check ids, other accounts' resources, giant strings.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[cfg(target_arch = "wasm32")]
// Generated canonical-ABI glue is unsafe by nature; the guest code itself is not.
#[allow(unsafe_code)]
mod component {
    use securebase_plugin_sdk::guest::bindings::exports::securebase::control::control::{Finding, Guest, PluginMetadata};
    use securebase_plugin_sdk::guest::bindings::securebase::control::types::{CheckMetadata, Severity, Status};
    use securebase_plugin_sdk::guest::bindings::securebase::control::{inventory, log};
    use std::hint::black_box;

    const MODE: &str = "SecureBase::Test::Mode";
    const CHECK: &str = "hostile_probe";

    struct Hostile;

    fn finding(check: &str, resource_type: &str, resource_id: &str, message: String) -> Finding {
        Finding {
            check_id: check.into(),
            resource_type: resource_type.into(),
            resource_id: resource_id.into(),
            status: Status::Pass,
            message,
        }
    }

    /// Recursion on the WebAssembly stack itself (scalars only): hits the engine's stack limit.
    fn recurse(n: u64) -> u64 {
        if black_box(n) == u64::MAX { 0 } else { black_box(recurse(black_box(n + 1))) ^ n }
    }

    /// Recursion with big frames, which Rust keeps on its shadow stack in linear memory.
    fn deep_frames(n: u64) -> u64 {
        let v = black_box([n; 64]);
        if black_box(true) { deep_frames(n + 1) + v[3] } else { v[0] }
    }

    impl Guest for Hostile {
        fn metadata() -> PluginMetadata {
            PluginMetadata {
                name: "hostile".into(),
                version: "0.0.1".into(),
                checks: vec![CheckMetadata {
                    id: CHECK.into(),
                    title: "Misbehaves on purpose".into(),
                    severity: Severity::Low,
                    resource_types: vec![MODE.into(), "AWS::S3::Bucket".into()],
                    rationale: "Exercises the sandbox.".into(),
                    remediation: "None.".into(),
                    references: vec![],
                }],
            }
        }

        fn evaluate() -> Result<Vec<Finding>, String> {
            let items = inventory::items(MODE);
            let Some(item) = items.first() else { return Ok(vec![]) };
            let config: serde_json::Value = serde_json::from_str(&item.configuration).map_err(|e| e.to_string())?;
            let arg = |k: &str| config.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let id = item.resource_id.clone();
            let ok = |message: String| Ok(vec![finding(CHECK, MODE, &id, message)]);
            match arg("mode").as_str() {
                "well-behaved" => ok("fine".into()),
                "loop" => loop {
                    black_box(());
                },
                "memory" => {
                    let mut hoard: Vec<Vec<u8>> = Vec::new();
                    loop {
                        hoard.push(black_box(vec![7u8; 1 << 20]));
                    }
                }
                "recursion" => ok(format!("{}", recurse(0))),
                "deep-frames" => ok(format!("{}", deep_frames(0))),
                "panic" => panic!("hostile plugin panics on purpose"),
                "flood" => {
                    let n: usize = arg("count").parse().unwrap_or(1_000_000);
                    Ok((0..n).map(|i| finding(CHECK, MODE, &id, format!("flood {i}"))).collect())
                }
                "giant" => ok("x".repeat(4 << 20)),
                "foreign" => Ok(vec![finding(CHECK, &arg("resource_type"), &arg("resource_id"), "not mine".into())]),
                "unknown-check" => Ok(vec![finding("not_declared_anywhere", MODE, &id, "who am I".into())]),
                "plugin-error" => Err("the plugin gave up on this account".into()),
                "twice" => {
                    // PASS and FAIL for the same resource, in one answer.
                    let fail = Finding { status: Status::Fail, ..finding(CHECK, MODE, &id, "failing too".into()) };
                    Ok(vec![finding(CHECK, MODE, &id, "passing".into()), fail])
                }
                "copy-loop" => {
                    // Cheap for the guest, costly for the host: the whole (padded) item
                    // copied in again and again.
                    let n: usize = arg("count").parse().unwrap_or(1_000_000);
                    let mut bytes = 0usize;
                    for _ in 0..n {
                        bytes += black_box(inventory::items(MODE)).iter().map(|i| i.configuration.len()).sum::<usize>();
                    }
                    ok(format!("copied {bytes} bytes"))
                }
                "encoded-copy-loop" => {
                    // The same through contract 1.1's call: the shared encoding is still
                    // copied into this instance each time, and paid for.
                    let n: usize = arg("count").parse().unwrap_or(1_000_000);
                    let mut bytes = 0usize;
                    for _ in 0..n {
                        bytes += black_box(inventory::encoded_items(MODE)).len();
                    }
                    ok(format!("copied {bytes} bytes"))
                }
                "log-flood" => {
                    for i in 0..5_000 {
                        log::log(log::Level::Info, &format!("line {i} {}", "y".repeat(100)));
                        eprintln!("stderr line {i}");
                    }
                    ok("logged a lot".into())
                }
                "snoop" => {
                    // Everything the host process has must be invisible here.
                    let vars = std::env::vars().count();
                    let home = std::env::var("HOME").is_ok();
                    let secret = std::env::var("SECUREBASE_TEST_SECRET").is_ok();
                    let args = std::env::args().count();
                    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
                    let mut bytes = [0u8; 8];
                    let random = std::collections::hash_map::RandomState::new();
                    let _ = &mut bytes;
                    use std::hash::BuildHasher;
                    let hash = random.hash_one(42u8);
                    ok(format!("vars={vars} home={home} secret={secret} args={args} now={now} hash={hash}"))
                }
                "remember" => {
                    // What an earlier instance could have left: a static's count of calls,
                    // and a MiB of memory grown past the allocator's heap (so nothing in
                    // the guest zeroes it), read before this call marks it.
                    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                    let calls = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    const PAGES: usize = 16;
                    let first = core::arch::wasm32::memory_grow(0, PAGES);
                    if first == usize::MAX {
                        return Err("memory.grow refused".into());
                    }
                    let words = (first * 65536) as *mut u64;
                    let mut dirty = 0;
                    for i in 0..PAGES * 65536 / 8 {
                        // SAFETY: the pages were just grown for this loop alone; no Rust
                        // object lives there.
                        unsafe {
                            let w = words.add(i);
                            dirty += usize::from(w.read_volatile() != 0);
                            w.write_volatile(0x5ec0_eba5_e000_0001);
                        }
                    }
                    ok(format!("calls={calls} dirty={dirty} at={first}"))
                }
                other => Err(format!("unknown mode {other:?}")),
            }
        }
    }

    securebase_plugin_sdk::guest::bindings::export_component!(Hostile with_types_in securebase_plugin_sdk::guest::bindings);
}
