//! ELBv2 load balancers have deletion protection enabled.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elbv2_deletion_protection",
        title: "ELBv2 load balancers have deletion protection enabled",
        severity: Severity::Medium,
        resource_types: &[crate::LOAD_BALANCER],
        rationale: "Deletion protection stops a load balancer, and the service endpoint behind its DNS name, from being deleted by a mistaken command or a compromised automation.",
        remediation: "aws elbv2 modify-load-balancer-attributes --load-balancer-arn LB_ARN --attributes Key=deletion_protection.enabled,Value=true",
        references: &[reference("aws-config-rule", "ELB_DELETION_PROTECTION_ENABLED"), reference("prowler", "elbv2_deletion_protection")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for lb in inv.items(crate::LOAD_BALANCER).iter() {
        let name = lb.name();
        out.verdict(
            lb,
            crate::attribute_flag(lb, "deletion_protection.enabled", false),
            format!("Load balancer {name} has deletion protection enabled."),
            format!("Load balancer {name} does not have deletion protection enabled."),
        );
    }
}
