//! Application Load Balancers mitigate HTTP desync in defensive or strictest mode.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elbv2_desync_mitigation_mode",
        title: "Application Load Balancers use the defensive or strictest desync mitigation mode",
        severity: Severity::Medium,
        resource_types: &[crate::LOAD_BALANCER],
        rationale: "In monitor mode an Application Load Balancer forwards ambiguous requests that front end and targets may parse differently, which enables HTTP request smuggling: cache and queue poisoning, hijacked sessions and requests that bypass controls.",
        remediation: "aws elbv2 modify-load-balancer-attributes --load-balancer-arn LB_ARN --attributes Key=routing.http.desync_mitigation_mode,Value=defensive (or strictest)",
        references: &[reference("aws-config-rule", "ALB_DESYNC_MODE_CHECK"), reference("prowler", "elbv2_desync_mitigation_mode")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for lb in inv.items(crate::LOAD_BALANCER).iter() {
        let name = lb.name();
        if crate::not_an_alb(lb, out, "desync mitigation is an Application Load Balancer setting") {
            continue;
        }
        // Not recorded means AWS's default, defensive.
        let mode = crate::attribute(lb, "routing.http.desync_mitigation_mode").and_then(|v| v.as_str()).unwrap_or("defensive");
        out.verdict(
            lb,
            mode.eq_ignore_ascii_case("defensive") || mode.eq_ignore_ascii_case("strictest"),
            format!("Application Load Balancer {name} uses the {mode} desync mitigation mode."),
            format!("Application Load Balancer {name} uses the {mode} desync mitigation mode, not defensive or strictest."),
        );
    }
}
