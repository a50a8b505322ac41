//! Built-in control plugin for AWS Config: a recorder on in every enabled region.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod config_recorder_all_regions_enabled;

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin { name: "config", version: "1.0.0", checks: &[config_recorder_all_regions_enabled::CHECK] };

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
