//! SDK for SecureBase control plugins.
//!
//! A check is a plain Rust function over an [`Inventory`] that reports one
//! [`Finding`] per resource it looks at. Because it is plain Rust, it is unit-tested
//! natively against fixture files (see [`testing`], feature `testing`), and the same
//! code is compiled to a WebAssembly component for the host's sandbox.
//!
//! ```ignore
//! use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Plugin, Severity, reference};
//!
//! fn versioning(inv: &Inventory, out: &mut Findings) {
//!     for bucket in inv.items("AWS::S3::Bucket").iter() {
//!         match bucket.supplementary_str("/BucketVersioningConfiguration/status") {
//!             Some("Enabled") => out.pass(bucket, "versioning is enabled"),
//!             _ => out.fail(bucket, "versioning is not enabled"),
//!         }
//!     }
//! }
//!
//! pub static PLUGIN: Plugin = Plugin { name: "s3", version: "1.0.0", checks: &[/* ... */] };
//! securebase_plugin_sdk::export_plugin!(PLUGIN);
//! ```
//!
//! The export glue ([`export_plugin!`]) only exists on `wasm32`; natively the crate is an
//! ordinary library, which is what makes the native baseline and tests possible.

pub mod aws;
mod inventory;
mod model;
pub mod policy;

#[cfg(feature = "testing")]
pub mod testing;

/// Resource types of our own that several plugin families share (documented in
/// `host/inventory/README.md`).
pub mod resource_types {
    /// One per account: the anchor for account-wide checks (support role, data events, alarms).
    pub const ACCOUNT: &str = "SecureBase::Account::Account";
    /// One per enabled region: the anchor for "in every region" checks.
    pub const REGION: &str = "SecureBase::Account::Region";
}

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod guest;

pub use inventory::{
    Inventory, Item, RawItem, Source, as_bool as inventory_bool, as_i64 as inventory_i64, encode, node_bool as inventory_node_bool,
    node_i64 as inventory_node_i64,
};
pub use model::{Check, CheckMeta, Finding, Findings, Plugin, Reference, Severity, Status};
/// A value of an item's configuration, read in place ([`Item::config_node`]).
pub use securebase_inventory::encoded::Node;
/// RFC 3339 parsing and day arithmetic, shared with the host.
pub use securebase_inventory::time;

/// Shorthand for a [`Reference`] in a `static` check table.
pub const fn reference(kind: &'static str, value: &'static str) -> Reference {
    Reference { kind, value }
}

/// Exports a [`Plugin`] static as the component's `securebase:control/control` interface.
///
/// Expands to nothing when not compiling for `wasm32`, so plugin crates build natively
/// for their tests without any cfg of their own.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:path) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct Component;
            impl $crate::guest::bindings::exports::securebase::control::control::Guest for Component {
                fn metadata() -> $crate::guest::bindings::exports::securebase::control::control::PluginMetadata {
                    $crate::guest::metadata(&$plugin)
                }
                fn evaluate() -> ::core::result::Result<
                    ::std::vec::Vec<$crate::guest::bindings::exports::securebase::control::control::Finding>,
                    ::std::string::String,
                > {
                    $crate::guest::evaluate(&$plugin)
                }
            }
    $crate::guest::bindings::export_component!(Component with_types_in $crate::guest::bindings);
        };
    };
}

/// The `fixtures` test of a plugin crate: every check of `$plugin` against the fixtures in
/// `fixtures/<check_id>/` beside the crate's `Cargo.toml` (`testing::verify_fixtures`:
/// each check needs a pass, a fail and a not-applicable case). The crate takes this SDK
/// with the `testing` feature as a dev-dependency.
#[macro_export]
macro_rules! fixtures_test {
    ($plugin:path) => {
        #[cfg(test)]
        #[test]
        fn fixtures() {
            $crate::testing::verify_fixtures(&$plugin, &::std::path::Path::new(::core::env!("CARGO_MANIFEST_DIR")).join("fixtures"));
        }
    };
}
