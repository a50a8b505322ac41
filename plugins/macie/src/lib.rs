//! Built-in control plugin for Amazon Macie: sensitive data discovery on in every
//! enabled region.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod macie_is_enabled;

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin { name: "macie", version: "1.0.0", checks: &[macie_is_enabled::CHECK] };

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
