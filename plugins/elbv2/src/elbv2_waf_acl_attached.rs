//! Application Load Balancers are protected by an AWS WAF web ACL.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elbv2_waf_acl_attached",
        title: "Application Load Balancers are protected by an AWS WAF web ACL",
        severity: Severity::Medium,
        resource_types: &[crate::LOAD_BALANCER],
        rationale: "An Application Load Balancer without a web ACL passes every request to its targets: SQL injection, cross-site scripting, known bad inputs and floods from a single address reach the application unfiltered. AWS WAF rules (managed rule groups, rate limits) stop them at the load balancer. Network and Gateway Load Balancers cannot have a web ACL and do not apply.",
        remediation: "aws wafv2 associate-web-acl --web-acl-arn WEB_ACL_ARN --resource-arn LB_ARN (create the web ACL with --scope REGIONAL in the load balancer's region, e.g. with the AWSManagedRulesCommonRuleSet rule group).",
        references: &[reference("aws-config-rule", "ALB_WAF_ENABLED"), reference("prowler", "elbv2_waf_acl_attached")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for lb in inv.items(crate::LOAD_BALANCER).iter() {
        let name = lb.name();
        if crate::not_an_alb(lb, out, "AWS WAF web ACLs attach to Application Load Balancers only") {
            continue;
        }
        // `WebACLArn` is what wafv2 GetWebACLForResource answered: null (or absent) when no web ACL is associated.
        match lb.supplementary_str("/WebACLArn").map(str::trim).filter(|arn| !arn.is_empty()) {
            Some(acl) => out.pass(lb, format!("Application Load Balancer {name} is protected by web ACL {acl}.")),
            None => out.fail(lb, format!("Application Load Balancer {name} is not protected by an AWS WAF web ACL.")),
        }
    }
}
