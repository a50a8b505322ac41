//! No network ACL admits the internet on SSH (TCP 22).

use securebase_plugin_sdk::Check;

pub const CHECK: Check = crate::nacl::nacl_check!(
    "ec2_networkacl_allow_ingress_tcp_port_22",
    "Network ACLs do not allow ingress from 0.0.0.0/0 or ::/0 to TCP port 22 (SSH)",
    22,
    "SSH"
);
