//! Built-in control plugin for Amazon GuardDuty: threat detection on in every enabled region.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod guardduty_is_enabled;

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin { name: "guardduty", version: "1.0.0", checks: &[guardduty_is_enabled::CHECK] };

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
