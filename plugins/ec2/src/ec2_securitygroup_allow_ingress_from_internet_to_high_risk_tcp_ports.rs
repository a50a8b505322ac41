//! No security group admits the internet on commonly attacked service ports.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// Prowler's list: SMTP, POP3, RPC, IMAP, SMB, and common admin and app-server ports.
const HIGH_RISK: [i64; 11] = [25, 110, 135, 143, 445, 3000, 4333, 5000, 5500, 8080, 8088];

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports",
        title: "Security groups do not allow ingress from the internet to high-risk TCP ports",
        severity: Severity::High,
        resource_types: &[crate::SECURITY_GROUP],
        rationale: "Mail, file-sharing, RPC and development servers on these ports are frequent targets of automated exploitation.",
        remediation: "Remove the internet-wide rules for these ports; publish services through a load balancer or restrict sources to known ranges.",
        references: &[
            reference("aws-config-rule", "RESTRICTED_INCOMING_TRAFFIC"),
            reference("prowler", "ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for sg in inv.items(crate::SECURITY_GROUP).iter() {
        let open: Vec<String> = HIGH_RISK.iter().filter(|p| !crate::rules::open_sources(sg, **p).is_empty()).map(i64::to_string).collect();
        let name = sg.name();
        if open.is_empty() {
            out.pass(sg, format!("Security group {name} admits the internet on no high-risk port."));
        } else {
            out.fail(sg, format!("Security group {name} admits the internet on TCP port(s) {}.", open.join(", ")));
        }
    }
}
