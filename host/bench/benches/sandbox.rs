//! Micro-benchmarks of the sandbox: instantiating a plugin for an account, one plugin
//! call, and moving configuration JSON across the boundary, each beside the same work
//! done natively. Run with `cargo bench -p securebase-bench`.

// criterion_group! and criterion_main! generate public functions without docs.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use securebase_bench::Generator;
use securebase_inventory::AccountInventory;
use securebase_runtime::{Limits, Runtime, RuntimeOptions};
use securebase_scan::testing::builtin_scanner;
use std::hint::black_box;
use std::sync::Arc;

fn s3_wasm() -> &'static [u8] {
    securebase_builtin_plugins::PLUGINS.iter().find(|(n, _)| *n == "s3.wasm").unwrap().1
}

fn empty_account() -> Arc<AccountInventory> {
    Arc::new(AccountInventory::new("bench", "100000000000", None, "2026-11-01T00:00:00Z", vec![]).unwrap())
}

fn benches(c: &mut Criterion) {
    let rt = Runtime::new(RuntimeOptions::default()).unwrap();
    let s3 = rt.load("s3.wasm", s3_wasm()).unwrap();

    // Instantiation: a fresh store and instance for an account with nothing to read.
    let empty = empty_account();
    c.bench_function("instantiate and call s3 on an empty account", |b| b.iter(|| black_box(rt.evaluate(&s3, &empty))));

    // One plugin call over realistic accounts of growing size, sandboxed and native.
    let native_s3 = securebase_builtin_plugins::NATIVE.iter().find(|(name, _)| *name == "s3").expect("the S3 plugin is built in").1;
    let mut group = c.benchmark_group("s3 plugin on one account");
    for resources in [100u64, 1_000] {
        let account = Arc::new(Generator { accounts: 1, resources_per_account: resources, seed: 1 }.account(0));
        group.bench_with_input(BenchmarkId::new("sandbox", resources), &account, |b, a| b.iter(|| black_box(rt.evaluate(&s3, a))));
        group.bench_with_input(BenchmarkId::new("native", resources), &account, |b, a| {
            b.iter(|| black_box(native_s3.evaluate(&securebase_plugin_sdk::testing::inventory(a.clone()))))
        });
    }
    group.finish();

    // JSON across the boundary: the host lowering items into the guest and the guest
    // parsing them, versus parsing the same JSON natively.
    let account = Arc::new(Generator { accounts: 1, resources_per_account: 1_000, seed: 2 }.account(0));
    let json: Vec<String> = account.iter().map(|i| i.configuration.clone()).collect();
    c.bench_function("parse 1,000 configuration items natively", |b| {
        b.iter(|| {
            for j in &json {
                black_box(serde_json::from_str::<serde_json::Value>(j).unwrap());
            }
        })
    });
}

/// The PDF report for a scan with 10,000 failing findings on one CIS requirement.
fn pdf(c: &mut Criterion) {
    let scanner = builtin_scanner(Limits::default(), Some(2));
    let mut report = scanner.scan(securebase_inventory::demo(), &|_| {});
    let template = report.accounts[0].findings.iter().find(|f| f.check_id == "s3_bucket_secure_transport_policy").unwrap().clone();
    report.accounts[0].findings = (0..10_000)
        .map(|i| {
            let mut f = template.clone();
            f.status = "fail".into();
            f.resource_id = format!("arn:aws:s3:::acme-synthetic-bucket-{i:05}");
            f
        })
        .collect();
    let mut group = c.benchmark_group("reports");
    group.sample_size(10);
    group.bench_function("PDF with 10,000 failing findings", |b| {
        b.iter(|| black_box(securebase_reports::render_pdf(&report, "cis-aws-foundations", None).unwrap()))
    });
    group.finish();
}

criterion_group!(sandbox, benches, pdf);
criterion_main!(sandbox);
