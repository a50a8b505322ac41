//! Application Load Balancers only listen over HTTPS, or redirect HTTP to HTTPS.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Item, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elbv2_ssl_listeners",
        title: "Application Load Balancers use HTTPS listeners or redirect HTTP to HTTPS",
        severity: Severity::Medium,
        resource_types: &[crate::LOAD_BALANCER],
        rationale: "An HTTP listener that serves content instead of redirecting to HTTPS carries requests, cookies and credentials in plaintext, where anyone on the path can read or change them.",
        remediation: "Make each HTTP listener redirect to HTTPS: aws elbv2 modify-listener --listener-arn LISTENER_ARN --default-actions 'Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_301}' (or replace it with an HTTPS listener).",
        references: &[reference("aws-config-rule", "ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK"), reference("prowler", "elbv2_ssl_listeners")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let listeners = inv.items(crate::LISTENER);
    for lb in inv.items(crate::LOAD_BALANCER).iter() {
        let name = lb.name();
        if crate::not_an_alb(lb, out, "this check is about Application Load Balancers") {
            continue;
        }
        let mine = crate::listeners_of(&listeners, lb);
        if mine.is_empty() {
            out.not_applicable(lb, format!("Application Load Balancer {name} has no listeners."));
            continue;
        }
        let plain: Vec<String> = mine.into_iter().filter(|l| !secure(l)).map(crate::listener_label).collect();
        out.verdict(
            lb,
            plain.is_empty(),
            format!("Every listener of Application Load Balancer {name} uses HTTPS or redirects to HTTPS."),
            format!("Application Load Balancer {name} has listeners that neither use HTTPS nor redirect to it: {}.", plain.join(", ")),
        );
    }
}

/// An HTTPS listener, or one whose default action redirects to HTTPS.
fn secure(listener: &Item) -> bool {
    crate::protocol(listener) == "HTTPS" || redirects_to_https(listener)
}

fn redirects_to_https(listener: &Item) -> bool {
    listener.config("/DefaultActions").and_then(Value::as_array).into_iter().flatten().any(|action| {
        action.get("Type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("redirect"))
            && action.pointer("/RedirectConfig/Protocol").and_then(Value::as_str).is_some_and(|p| p.eq_ignore_ascii_case("HTTPS"))
    })
}
