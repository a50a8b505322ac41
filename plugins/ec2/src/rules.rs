//! Security group rules as AWS Config records them (`ipPermissions`), and the one
//! question the port checks ask of them: is this TCP port open to the whole internet?

use securebase_plugin_sdk::{Findings, Inventory, Item, Node, inventory_node_i64};
use serde_json::Value;

/// Whether a rule covers `port` over TCP. Protocol `-1` (all traffic) covers every
/// port; a TCP rule covers the ports from `fromPort` to `toPort` inclusive.
pub fn covers_tcp_port(rule: Node<'_>, port: i64) -> bool {
    let Some(protocol) = protocol(rule.get("ipProtocol")) else { return false };
    match protocol.as_str() {
        "-1" | "all" => true,
        "tcp" | "6" => {
            let from = rule.get("fromPort").and_then(inventory_node_i64);
            let to = rule.get("toPort").and_then(inventory_node_i64);
            match (from, to) {
                // -1 on a TCP rule means all ports.
                (Some(-1), _) | (_, Some(-1)) | (None, None) => true,
                (Some(f), Some(t)) => f <= port && port <= t,
                (Some(p), None) | (None, Some(p)) => p == port,
            }
        }
        _ => false,
    }
}

/// A rule's protocol as AWS Config writes it: a name (lower-cased) or a number.
pub fn protocol(value: Option<Node<'_>>) -> Option<String> {
    let value = value?;
    match value.as_str() {
        Some(s) => Some(s.to_ascii_lowercase()),
        None => match value.to_value() {
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        },
    }
}

/// Whether a rule opens every TCP port: all traffic, or TCP from port 0 (or 1) to 65535.
pub fn covers_all_tcp_ports(rule: Node<'_>) -> bool {
    let from = rule.get("fromPort").and_then(inventory_node_i64);
    let to = rule.get("toPort").and_then(inventory_node_i64);
    covers_tcp_port(rule, 1) && covers_tcp_port(rule, 65535) && (from.is_none() || from <= Some(1) || to == Some(-1))
}

/// The internet-wide sources (`0.0.0.0/0`, `::/0`) a rule admits.
pub fn internet_sources(rule: Node<'_>) -> Vec<&str> {
    let list = |key: &str| rule.get(key).into_iter().flat_map(|l| l.elements());
    let v4 = list("ipv4Ranges").filter_map(|r| r.get("cidrIp")?.as_str());
    let legacy = list("ipRanges").filter_map(|r| r.as_str());
    let v6 = list("ipv6Ranges").filter_map(|r| r.get("cidrIpv6")?.as_str());
    let mut out: Vec<&str> = v4.chain(legacy).chain(v6).filter(|c| *c == "0.0.0.0/0" || *c == "::/0").collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Declares the check "no security group admits the internet on TCP `port`".
/// A macro rather than a `const fn` so the reference table stays a promoted constant.
macro_rules! open_port_check {
    ($id:literal, $title:literal, $config_rule:literal, $run:path) => {
        securebase_plugin_sdk::Check {
            meta: securebase_plugin_sdk::CheckMeta {
                id: $id,
                title: $title,
                severity: securebase_plugin_sdk::Severity::High,
                resource_types: &[crate::SECURITY_GROUP],
                rationale: "Remote administration ports reachable from anywhere are scanned and brute-forced within minutes of exposure.",
                remediation: "Remove the rule admitting 0.0.0.0/0 or ::/0 on this port; reach hosts through Systems Manager Session Manager, a VPN or a bastion restricted to known addresses.",
                references: &[
                    securebase_plugin_sdk::reference("aws-config-rule", $config_rule),
                    securebase_plugin_sdk::reference("prowler", $id),
                    securebase_plugin_sdk::reference("cis", "5.2"),
                    securebase_plugin_sdk::reference("cis", "5.3"),
                ],
            },
            run: $run,
        }
    };
}
pub(crate) use open_port_check;

/// Reports every security group as open or closed to the internet on `port`.
pub fn evaluate_open_port(inv: &Inventory, out: &mut Findings, port: i64, service: &str) {
    for sg in inv.items(super::SECURITY_GROUP).iter() {
        let open = open_sources(sg, port);
        let name = sg.name();
        if open.is_empty() {
            out.pass(sg, format!("Security group {name} does not admit the internet on TCP port {port} ({service})."));
        } else {
            out.fail(sg, format!("Security group {name} admits {} on TCP port {port} ({service}).", open.join(" and ")));
        }
    }
}

/// The internet-wide sources a security group admits on TCP `port`.
pub fn open_sources(sg: &Item, port: i64) -> Vec<&str> {
    open_sources_where(sg, |r| covers_tcp_port(r, port))
}

/// The internet-wide sources of the ingress rules that satisfy `covers`.
pub fn open_sources_where(sg: &Item, covers: impl Fn(Node<'_>) -> bool) -> Vec<&str> {
    let mut out: Vec<&str> =
        sg.config_node("/ipPermissions").into_iter().flat_map(|l| l.elements()).filter(|r| covers(*r)).flat_map(internet_sources).collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use securebase_plugin_sdk::encode;
    use serde_json::json;

    #[test]
    fn port_ranges_and_protocols() {
        assert!(covers_tcp_port(Node::new(&encode(&json!({"ipProtocol": "tcp", "fromPort": 0, "toPort": 65535}))), 22));
        assert!(covers_tcp_port(Node::new(&encode(&json!({"ipProtocol": "tcp", "fromPort": 20, "toPort": 23}))), 22));
        assert!(!covers_tcp_port(Node::new(&encode(&json!({"ipProtocol": "tcp", "fromPort": 23, "toPort": 80}))), 22));
        assert!(covers_tcp_port(Node::new(&encode(&json!({"ipProtocol": "-1"}))), 3389));
        assert!(covers_tcp_port(Node::new(&encode(&json!({"ipProtocol": "6", "fromPort": "22", "toPort": "22"}))), 22));
        assert!(!covers_tcp_port(Node::new(&encode(&json!({"ipProtocol": "udp", "fromPort": 22, "toPort": 22}))), 22));
        assert!(!covers_tcp_port(Node::new(&encode(&json!({}))), 22));
        assert!(covers_tcp_port(Node::new(&encode(&json!({"ipProtocol": 6, "fromPort": 22, "toPort": 22}))), 22));
    }

    #[test]
    fn all_ports() {
        assert!(covers_all_tcp_ports(Node::new(&encode(&json!({"ipProtocol": "-1"})))));
        assert!(covers_all_tcp_ports(Node::new(&encode(&json!({"ipProtocol": "tcp", "fromPort": 0, "toPort": 65535})))));
        assert!(!covers_all_tcp_ports(Node::new(&encode(&json!({"ipProtocol": "tcp", "fromPort": 22, "toPort": 65535})))));
        assert!(!covers_all_tcp_ports(Node::new(&encode(&json!({"ipProtocol": "udp", "fromPort": 0, "toPort": 65535})))));
    }

    #[test]
    fn internet_sources_cover_ipv4_ipv6_and_legacy_ranges() {
        let r = json!({"ipv4Ranges": [{"cidrIp": "10.0.0.0/8"}], "ipRanges": ["0.0.0.0/0"], "ipv6Ranges": [{"cidrIpv6": "::/0"}]});
        assert_eq!(internet_sources(Node::new(&encode(&r))), vec!["0.0.0.0/0", "::/0"]);
        assert!(internet_sources(Node::new(&encode(&json!({"ipv4Ranges": [{"cidrIp": "0.0.0.0/1"}]})))).is_empty());
    }
}
