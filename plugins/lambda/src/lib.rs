//! Built-in control plugin for AWS Lambda: public resource policies, supported runtimes,
//! VPC placement, dead-letter queues and customer managed keys for environment variables.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod awslambda_function_dead_letter_queue_configured;
mod awslambda_function_environment_encrypted_with_cmk;
mod awslambda_function_inside_vpc;
mod awslambda_function_no_secrets_in_variables;
mod awslambda_function_not_publicly_accessible;
mod awslambda_function_using_supported_runtimes;

/// AWS Config records functions in the GetFunctionConfiguration shape (camelCase, with
/// `kmskeyArn` spelled in lower case); the resource policy is `Policy` in the
/// supplementary configuration.
const FUNCTION: &str = "AWS::Lambda::Function";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "lambda",
    version: "1.0.0",
    checks: &[
        awslambda_function_not_publicly_accessible::CHECK,
        awslambda_function_using_supported_runtimes::CHECK,
        awslambda_function_inside_vpc::CHECK,
        awslambda_function_dead_letter_queue_configured::CHECK,
        awslambda_function_environment_encrypted_with_cmk::CHECK,
        awslambda_function_no_secrets_in_variables::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
