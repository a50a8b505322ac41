//! Functions keep failed asynchronous invocations in a dead-letter queue.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "awslambda_function_dead_letter_queue_configured",
        title: "Lambda functions have a dead-letter queue configured",
        severity: Severity::Low,
        resource_types: &[crate::FUNCTION],
        rationale: "Without a dead-letter queue, asynchronous events that still fail after Lambda's retries are discarded, so failures, including in security tooling, go unnoticed and cannot be replayed.",
        remediation: "aws lambda update-function-configuration --function-name FUNCTION --dead-letter-config TargetArn=SQS_QUEUE_OR_SNS_TOPIC_ARN",
        references: &[reference("aws-config-rule", "LAMBDA_DLQ_CHECK"), reference("prowler", "awslambda_function_no_dead_letter_queue")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for function in inv.items(crate::FUNCTION).iter() {
        let name = function.name();
        match function.config_str("/deadLetterConfig/targetArn").map(str::trim).filter(|t| !t.is_empty()) {
            Some(target) => out.pass(function, format!("Function {name} sends failed asynchronous invocations to {target}.")),
            None => out.fail(function, format!("Function {name} has no dead-letter queue for failed asynchronous invocations.")),
        }
    }
}
