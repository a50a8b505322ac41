//! Every VPC's default security group has no rules at all.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_securitygroup_default_restrict_traffic",
        title: "The default security group of every VPC restricts all traffic",
        severity: Severity::Medium,
        resource_types: &[crate::SECURITY_GROUP],
        rationale: "Resources launched without an explicit security group land in the default one; with no rules it isolates them instead of exposing them.",
        remediation: "Remove every inbound and outbound rule from the default security group and attach purpose-built groups to resources instead.",
        references: &[
            reference("aws-config-rule", "VPC_DEFAULT_SECURITY_GROUP_CLOSED"),
            reference("prowler", "ec2_securitygroup_default_restrict_traffic"),
            reference("cis", "5.4"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for sg in inv.items(crate::SECURITY_GROUP).iter() {
        if sg.config_str("/groupName") != Some("default") {
            continue;
        }
        let count = |p: &str| sg.config(p).and_then(|v| v.as_array()).map_or(0, Vec::len);
        let (inbound, outbound) = (count("/ipPermissions"), count("/ipPermissionsEgress"));
        let vpc = sg.config_str("/vpcId").unwrap_or("?");
        out.verdict(
            sg,
            inbound + outbound == 0,
            format!("The default security group of {vpc} has no rules."),
            format!("The default security group of {vpc} has {inbound} inbound and {outbound} outbound rule(s)."),
        );
    }
}
