//! Application Load Balancers write access logs to S3.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elbv2_logging_enabled",
        title: "Application Load Balancers have access logging to S3 enabled",
        severity: Severity::Medium,
        resource_types: &[crate::LOAD_BALANCER],
        rationale: "Access logs record every request the load balancer receives (client address, path, status, TLS details); without them, attacks through the load balancer cannot be investigated.",
        remediation: "aws elbv2 modify-load-balancer-attributes --load-balancer-arn LB_ARN --attributes Key=access_logs.s3.enabled,Value=true Key=access_logs.s3.bucket,Value=BUCKET (the bucket policy must let Elastic Load Balancing write to it).",
        references: &[reference("aws-config-rule", "ELB_LOGGING_ENABLED"), reference("prowler", "elbv2_logging_enabled")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for lb in inv.items(crate::LOAD_BALANCER).iter() {
        let name = lb.name();
        // As in AWS Config's rule: Network Load Balancers log only their TLS listeners
        // and Gateway Load Balancers have no access logs, so they are not judged here.
        if crate::not_an_alb(lb, out, "this check is about Application Load Balancers") {
            continue;
        }
        out.verdict(
            lb,
            crate::attribute_flag(lb, "access_logs.s3.enabled", false),
            format!("Application Load Balancer {name} writes access logs to S3."),
            format!("Application Load Balancer {name} does not have access logging enabled."),
        );
    }
}
