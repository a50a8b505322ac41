//! Built-in control plugin for EC2, EBS and VPC: security groups open to the
//! internet, the default security group, EBS encryption, IMDSv2, VPC flow logs,
//! instance profiles, public addresses and monitoring, public AMIs and launch templates.
//!
//! Each check is a module named after its id; its fixtures are in
//! `fixtures/<check_id>/` and are run by the `fixtures` test below.

use securebase_plugin_sdk::Plugin;

mod ec2_ami_public;
mod ec2_ebs_default_encryption;
mod ec2_ebs_public_snapshot;
mod ec2_ebs_snapshots_encrypted;
mod ec2_ebs_volume_encryption;
mod ec2_instance_detailed_monitoring_enabled;
mod ec2_instance_imdsv2_enabled;
mod ec2_instance_profile_attached;
mod ec2_instance_public_ip;
mod ec2_launch_template_imdsv2_required;
mod ec2_launch_template_no_public_ip;
mod ec2_networkacl_allow_ingress_tcp_port_22;
mod ec2_networkacl_allow_ingress_tcp_port_3389;
mod ec2_securitygroup_allow_ingress_from_internet_to_all_ports;
mod ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports;
mod ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22;
mod ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389;
mod ec2_securitygroup_default_restrict_traffic;
mod nacl;
#[macro_use]
mod rules;
mod vpc_flow_logs_enabled;

const SECURITY_GROUP: &str = "AWS::EC2::SecurityGroup";

/// AWS Config records instances in the DescribeInstances shape (camelCase: `state.name`,
/// `iamInstanceProfile`, `publicIpAddress`, `monitoring.state`).
const INSTANCE: &str = "AWS::EC2::Instance";

/// Our own resource type: AWS Config does not record EBS snapshots.
const EBS_SNAPSHOT: &str = "SecureBase::EC2::EbsSnapshot";

/// Our own resource type: AWS Config does not record AMIs. Only the images the account owns,
/// `{"imageId", "name", "public", "ownerId", "state"}`.
const IMAGE: &str = "SecureBase::EC2::Image";

/// AWS Config records launch templates in their CloudFormation shape (PascalCase), with the
/// default version's `LaunchTemplateData`.
const LAUNCH_TEMPLATE: &str = "AWS::EC2::LaunchTemplate";

/// The plugin: every EC2/VPC check, in report order.
pub static PLUGIN: Plugin = Plugin {
    name: "ec2",
    version: "1.0.0",
    checks: &[
        ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22::CHECK,
        ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389::CHECK,
        ec2_securitygroup_allow_ingress_from_internet_to_all_ports::CHECK,
        ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports::CHECK,
        ec2_securitygroup_default_restrict_traffic::CHECK,
        ec2_networkacl_allow_ingress_tcp_port_22::CHECK,
        ec2_networkacl_allow_ingress_tcp_port_3389::CHECK,
        ec2_ebs_default_encryption::CHECK,
        ec2_ebs_volume_encryption::CHECK,
        ec2_ebs_public_snapshot::CHECK,
        ec2_instance_imdsv2_enabled::CHECK,
        vpc_flow_logs_enabled::CHECK,
        ec2_ebs_snapshots_encrypted::CHECK,
        ec2_instance_profile_attached::CHECK,
        ec2_instance_public_ip::CHECK,
        ec2_instance_detailed_monitoring_enabled::CHECK,
        ec2_ami_public::CHECK,
        ec2_launch_template_imdsv2_required::CHECK,
        ec2_launch_template_no_public_ip::CHECK,
    ],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);

securebase_plugin_sdk::fixtures_test!(PLUGIN);
