//! No security group admits the internet on every port.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_securitygroup_allow_ingress_from_internet_to_all_ports",
        title: "Security groups do not allow ingress from 0.0.0.0/0 or ::/0 to all ports",
        severity: Severity::Critical,
        resource_types: &[crate::SECURITY_GROUP],
        rationale: "A rule that opens every port to the internet exposes every service on the attached resources, including ones nobody meant to publish.",
        remediation: "Replace the rule with rules for the specific ports the service needs, from the narrowest sources possible.",
        references: &[
            reference("aws-config-rule", "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS"),
            reference("prowler", "ec2_securitygroup_allow_ingress_from_internet_to_all_ports"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for sg in inv.items(crate::SECURITY_GROUP).iter() {
        let open = crate::rules::open_sources_where(sg, crate::rules::covers_all_tcp_ports);
        let name = sg.name();
        if open.is_empty() {
            out.pass(sg, format!("Security group {name} does not open all ports to the internet."));
        } else {
            out.fail(sg, format!("Security group {name} opens all ports to {}.", open.join(" and ")));
        }
    }
}
