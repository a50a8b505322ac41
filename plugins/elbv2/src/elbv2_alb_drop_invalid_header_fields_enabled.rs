//! Application Load Balancers drop HTTP headers that are not valid.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elbv2_alb_drop_invalid_header_fields_enabled",
        title: "Application Load Balancers drop invalid HTTP header fields",
        severity: Severity::Medium,
        resource_types: &[crate::LOAD_BALANCER],
        rationale: "By default an Application Load Balancer forwards header fields that do not conform to RFC 7230; targets that parse them differently can be attacked by HTTP request smuggling.",
        remediation: "aws elbv2 modify-load-balancer-attributes --load-balancer-arn LB_ARN --attributes Key=routing.http.drop_invalid_header_fields.enabled,Value=true",
        references: &[
            reference("aws-config-rule", "ALB_HTTP_DROP_INVALID_HEADER_ENABLED"),
            reference("prowler", "elbv2_alb_drop_invalid_header_fields_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for lb in inv.items(crate::LOAD_BALANCER).iter() {
        let name = lb.name();
        if crate::not_an_alb(lb, out, "dropping invalid headers is an Application Load Balancer setting") {
            continue;
        }
        out.verdict(
            lb,
            crate::attribute_flag(lb, "routing.http.drop_invalid_header_fields.enabled", false),
            format!("Application Load Balancer {name} drops invalid HTTP header fields."),
            format!("Application Load Balancer {name} forwards invalid HTTP header fields to its targets."),
        );
    }
}
