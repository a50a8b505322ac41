//! API Gateway REST API stages are protected by an AWS WAF web ACL.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "apigateway_restapi_waf_acl_attached",
        title: "API Gateway REST API stages are associated with an AWS WAF web ACL",
        severity: Severity::Medium,
        resource_types: &[crate::STAGE],
        rationale: "A web ACL filters requests before they reach the API: managed rule groups block common injection and known-bad inputs, rate-based rules slow down credential stuffing and scraping, and IP or geographic rules keep out traffic that has no business there.",
        remediation: "aws wafv2 associate-web-acl --web-acl-arn WEB_ACL_ARN --resource-arn arn:aws:apigateway:REGION::/restapis/API_ID/stages/STAGE (a REGIONAL web ACL in the stage's region; create one with aws wafv2 create-web-acl --scope REGIONAL if there is none).",
        references: &[
            reference("aws-config-rule", "API_GW_ASSOCIATED_WITH_WAF"),
            reference("prowler", "apigateway_restapi_waf_acl_attached"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for stage in inv.items(crate::STAGE).iter() {
        let name = stage.name();
        match stage.config_str("/webAclArn").map(str::trim).filter(|arn| !arn.is_empty()) {
            Some(arn) => out.pass(stage, format!("Stage {name} is protected by web ACL {arn}.")),
            None => out.fail(stage, format!("Stage {name} is not associated with an AWS WAF web ACL.")),
        }
    }
}
