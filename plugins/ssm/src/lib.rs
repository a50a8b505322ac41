//! Built-in control plugin for AWS Systems Manager: public documents, instances left
//! unmanaged and Session Manager logging.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod ec2_instance_managed_by_ssm;
mod ssm_documents_set_as_public;
mod ssm_session_manager_logging_enabled;

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "ssm",
    version: "1.0.0",
    checks: &[ssm_documents_set_as_public::CHECK, ec2_instance_managed_by_ssm::CHECK, ssm_session_manager_logging_enabled::CHECK],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
