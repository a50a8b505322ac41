//! The plugin authoring kit behind `securebase plugin`: what an author needs between
//! writing a check and uploading it, as a library the CLI wraps.
//!
//! - [`fixtures`]: a plugin's fixture files run through the real sandbox under the real
//!   limits, compared resource by resource with what each fixture expects, with the
//!   fuel and time each run took.
//! - [`project`]: `plugin new` (a Rust, Python or JavaScript project with the contract,
//!   an example check and its fixtures) and `plugin build` (its component, with the
//!   language's toolchain).
//! - [`replay`]: a plugin's findings on the inventory a scan evaluated, set against the
//!   ones the scan recorded (`plugin replay`).
//! - [`signing`]: Ed25519 key pairs and detached signatures in the format the tenant
//!   plugin API checks (`X-SecureBase-Signature`).

pub mod fixtures;
pub mod project;
pub mod replay;
pub mod signing;
