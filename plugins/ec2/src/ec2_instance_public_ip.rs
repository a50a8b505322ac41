//! Instances have no public IPv4 address.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_instance_public_ip",
        title: "EC2 instances do not have a public IPv4 address",
        severity: Severity::Medium,
        resource_types: &[crate::INSTANCE],
        rationale: "An instance with a public address can be reached from the whole internet, so its security groups and every listening service become its only protection, and scanners find it within minutes. Instances behind a load balancer, a NAT gateway or Session Manager need no public address.",
        remediation: "Remove an auto-assigned address with aws ec2 modify-network-interface-attribute --network-interface-id ENI --no-associate-public-ip-address, or an Elastic IP with aws ec2 disassociate-address --association-id ASSOCIATION; stop new ones with aws ec2 modify-subnet-attribute --subnet-id SUBNET --no-map-public-ip-on-launch.",
        references: &[reference("aws-config-rule", "EC2_INSTANCE_NO_PUBLIC_IP"), reference("prowler", "ec2_instance_public_ip")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for i in inv.items(crate::INSTANCE).iter() {
        if securebase_plugin_sdk::aws::ec2_instance_not_judged(i, out) {
            continue;
        }
        let name = i.name();
        match i.config_str("/publicIpAddress").filter(|a| !a.is_empty()) {
            Some(address) => out.fail(i, format!("Instance {name} has the public IPv4 address {address}.")),
            None => out.pass(i, format!("Instance {name} has no public IPv4 address.")),
        }
    }
}
