//! Built-in control plugin for AWS Organizations: the account belongs to an organization,
//! and the organization's service control policies keep its accounts to their regions.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod organizations_account_part_of_organizations;
mod organizations_scp_check_deny_regions;

/// Our own type, one per account (AWS Config records none); its shape is declared with
/// the inventory's other `SecureBase::` types in `host/inventory/README.md`. The checks
/// read `inOrganization`, `id`, `featureSet`, `managementAccountId`,
/// `isManagementAccount` and, in the management account, `ServiceControlPolicies` and
/// `Accounts` (the organization's tree).
const ORGANIZATION: &str = "SecureBase::Organizations::Organization";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "organizations",
    version: "1.0.0",
    checks: &[organizations_account_part_of_organizations::CHECK, organizations_scp_check_deny_regions::CHECK],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
