//! Classic Load Balancers write access logs to S3.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elb_logging_enabled",
        title: "Classic Load Balancers have access logging to S3 enabled",
        severity: Severity::Medium,
        resource_types: &[crate::LOAD_BALANCER],
        rationale: "Access logs record every request the load balancer receives (client address, path, status, TLS details); without them, attacks through the load balancer cannot be investigated.",
        remediation: "aws elb modify-load-balancer-attributes --load-balancer-name LB_NAME --load-balancer-attributes '{\"AccessLog\":{\"Enabled\":true,\"S3BucketName\":\"BUCKET\",\"EmitInterval\":60}}' (the bucket policy must let Elastic Load Balancing write to it).",
        references: &[reference("aws-config-rule", "ELB_LOGGING_ENABLED"), reference("prowler", "elb_logging_enabled")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for lb in inv.items(crate::LOAD_BALANCER).iter() {
        let name = lb.name();
        // Not recorded means AWS's default: access logs off.
        out.verdict(
            lb,
            lb.supplementary_bool("/LoadBalancerAttributes/accessLog/enabled") == Some(true),
            format!("Classic Load Balancer {name} writes access logs to S3."),
            format!("Classic Load Balancer {name} does not have access logging enabled."),
        );
    }
}
