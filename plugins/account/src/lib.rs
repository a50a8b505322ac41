//! Built-in control plugin for AWS account settings: a security contact AWS can reach.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod account_security_contact_information_is_registered;

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin =
    Plugin { name: "account", version: "1.0.0", checks: &[account_security_contact_information_is_registered::CHECK] };

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
