//! Benchmarks at organization scale: a deterministic generator of synthetic AWS
//! organizations (every resource type the built-in checks read, in AWS Config's shapes,
//! a realistic mix of compliant and non-compliant resources), used by
//! `securebase-bench generate` and `securebase-bench scan`; and the API and portal benchmarks behind
//! `securebase-bench api` and `securebase-bench portal`; and the collection benchmark
//! against moto behind `securebase-bench collect`. The `securebase-bench` binary (`src/main.rs`) is their command
//! line, apart from the product's `securebase`.

pub mod api;
pub mod collect;
mod generate;
pub mod portal;
mod run;
pub mod workers;

pub use generate::{Generator, account_id};
pub use run::{Measurement, native_plugins, peak_rss, run};
