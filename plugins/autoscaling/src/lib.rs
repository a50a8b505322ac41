//! Built-in control plugin for Amazon EC2 Auto Scaling: groups spread over several
//! Availability Zones and using load balancer health checks, and launch configurations
//! that require IMDSv2 and assign no public IP addresses.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod autoscaling_group_elb_health_check_enabled;
mod autoscaling_group_launch_configuration_no_public_ip;
mod autoscaling_group_launch_configuration_requires_imdsv2;
mod autoscaling_group_multiple_az;

/// AWS Config records groups in the DescribeAutoScalingGroups shape (camelCase:
/// `availabilityZones`, `healthCheckType`, `loadBalancerNames`, `targetGroupARNs`, ...).
const GROUP: &str = "AWS::AutoScaling::AutoScalingGroup";

/// AWS Config records launch configurations in the DescribeLaunchConfigurations shape
/// (camelCase: `associatePublicIpAddress`, `metadataOptions`, ...).
const LAUNCH_CONFIGURATION: &str = "AWS::AutoScaling::LaunchConfiguration";

/// The plugin: every check of this family, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "autoscaling",
    version: "1.0.0",
    checks: &[
        autoscaling_group_multiple_az::CHECK,
        autoscaling_group_launch_configuration_no_public_ip::CHECK,
        autoscaling_group_launch_configuration_requires_imdsv2::CHECK,
        autoscaling_group_elb_health_check_enabled::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
