//! No security group admits the internet on SSH (TCP 22).

use securebase_plugin_sdk::{Check, Findings, Inventory};

pub const CHECK: Check = crate::rules::open_port_check!(
    "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
    "Security groups do not allow ingress from 0.0.0.0/0 or ::/0 to TCP port 22 (SSH)",
    "INCOMING_SSH_DISABLED",
    run
);

fn run(inv: &Inventory, out: &mut Findings) {
    crate::rules::evaluate_open_port(inv, out, 22, "SSH");
}
