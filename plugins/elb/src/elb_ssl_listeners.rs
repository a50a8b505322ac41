//! Classic Load Balancers only listen over HTTPS or SSL.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elb_ssl_listeners",
        title: "Classic Load Balancers only have HTTPS or SSL listeners",
        severity: Severity::Medium,
        resource_types: &[crate::LOAD_BALANCER],
        rationale: "An HTTP or TCP listener carries client traffic, credentials and session tokens included, in plaintext between the client and the load balancer, where it can be read or altered.",
        remediation: "Add an HTTPS or SSL listener (aws elb create-load-balancer-listeners --load-balancer-name LB_NAME --listeners Protocol=HTTPS,LoadBalancerPort=443,InstanceProtocol=HTTP,InstancePort=80,SSLCertificateId=CERT_ARN), then remove the plaintext one: aws elb delete-load-balancer-listeners --load-balancer-name LB_NAME --load-balancer-ports 80",
        references: &[reference("aws-config-rule", "ELB_TLS_HTTPS_LISTENERS_ONLY"), reference("prowler", "elb_ssl_listeners")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for lb in inv.items(crate::LOAD_BALANCER).iter() {
        let name = lb.name();
        let listeners = lb.config("/listenerDescriptions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        if listeners.is_empty() {
            out.not_applicable(lb, format!("Classic Load Balancer {name} has no listeners."));
            continue;
        }
        let mut plain = Vec::new();
        for description in listeners {
            let protocol = description.pointer("/listener/protocol").and_then(Value::as_str).unwrap_or("?");
            if protocol.eq_ignore_ascii_case("HTTPS") || protocol.eq_ignore_ascii_case("SSL") {
                continue;
            }
            plain.push(match description.pointer("/listener/loadBalancerPort").and_then(Value::as_i64) {
                Some(port) => format!("{protocol}:{port}"),
                None => protocol.to_string(),
            });
        }
        out.verdict(
            lb,
            plain.is_empty(),
            format!("Every listener of Classic Load Balancer {name} uses HTTPS or SSL."),
            format!("Classic Load Balancer {name} has plaintext listeners: {}.", plain.join(", ")),
        );
    }
}
