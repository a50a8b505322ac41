//! Built-in control plugin for AWS Security Hub: enabled in every enabled region.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod securityhub_enabled;

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin { name: "securityhub", version: "1.0.0", checks: &[securityhub_enabled::CHECK] };

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
