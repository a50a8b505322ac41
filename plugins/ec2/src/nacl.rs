//! Network ACLs as AWS Config records them, evaluated the way the VPC does: inbound
//! entries in rule-number order, the first one matching the traffic decides, and
//! anything unmatched is denied.

use securebase_plugin_sdk::{Findings, Inventory, Item, Node, inventory_node_bool, inventory_node_i64};

pub const NETWORK_ACL: &str = "AWS::EC2::NetworkAcl";

/// Whether traffic from anywhere on the internet (`0.0.0.0/0` or `::/0`) reaches TCP `port`.
pub fn admits_internet(acl: &Item, port: i64) -> Vec<&'static str> {
    let mut entries: Vec<Node<'_>> = acl
        .config_node("/entries")
        .into_iter()
        .flat_map(|l| l.elements())
        .filter(|e| !e.get("egress").and_then(inventory_node_bool).unwrap_or(false))
        .collect();
    entries.sort_by_key(|e| e.get("ruleNumber").and_then(inventory_node_i64).unwrap_or(i64::MAX));
    let mut open = Vec::new();
    for (source, key) in [("0.0.0.0/0", "cidrBlock"), ("::/0", "ipv6CidrBlock")] {
        let decisive = entries.iter().find(|e| e.get(key).and_then(|c| c.as_str()) == Some(source) && covers(**e, port));
        if decisive.and_then(|e| e.get("ruleAction")).and_then(|a| a.as_str()).is_some_and(|a| a.eq_ignore_ascii_case("allow")) {
            open.push(source);
        }
    }
    open
}

fn covers(entry: Node<'_>, port: i64) -> bool {
    let Some(protocol) = crate::rules::protocol(entry.get("protocol")) else { return false };
    match protocol.as_str() {
        "-1" | "all" => true,
        "6" | "tcp" => {
            let from = entry.pointer("/portRange/from").and_then(inventory_node_i64);
            let to = entry.pointer("/portRange/to").and_then(inventory_node_i64);
            match (from, to) {
                (Some(f), Some(t)) => f <= port && port <= t,
                _ => true,
            }
        }
        _ => false,
    }
}

/// Declares "no network ACL admits the internet on TCP `port`".
macro_rules! nacl_check {
    ($id:literal, $title:literal, $port:literal, $service:literal) => {
        securebase_plugin_sdk::Check {
            meta: securebase_plugin_sdk::CheckMeta {
                id: $id,
                title: $title,
                severity: securebase_plugin_sdk::Severity::Medium,
                resource_types: &[crate::nacl::NETWORK_ACL],
                rationale: "Network ACLs are the subnet-level layer of defence; one that admits the internet on an administration port leaves only security groups in the way.",
                remediation: "Add a deny entry for this port from 0.0.0.0/0 and ::/0 numbered below the allow, or narrow the allow entry to known sources.",
                references: &[
                    securebase_plugin_sdk::reference("aws-config-rule", "NACL_NO_UNRESTRICTED_SSH_RDP"),
                    securebase_plugin_sdk::reference("prowler", $id),
                    securebase_plugin_sdk::reference("cis", "5.1"),
                ],
            },
            run: |inv, out| crate::nacl::evaluate(inv, out, $port, $service),
        }
    };
}
pub(crate) use nacl_check;

/// Reports every network ACL as open or closed to the internet on `port`.
pub fn evaluate(inv: &Inventory, out: &mut Findings, port: i64, service: &str) {
    for acl in inv.items(NETWORK_ACL).iter() {
        let open = admits_internet(acl, port);
        if open.is_empty() {
            out.pass(acl, format!("Network ACL {} does not admit the internet on TCP port {port} ({service}).", acl.resource_id));
        } else {
            out.fail(acl, format!("Network ACL {} admits {} on TCP port {port} ({service}).", acl.resource_id, open.join(" and ")));
        }
    }
}
