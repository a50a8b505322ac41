//! No function resource policy lets everyone invoke or manage the function.

use securebase_plugin_sdk::aws::public_policy_verdict;
use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "awslambda_function_not_publicly_accessible",
        title: "Lambda functions are not publicly accessible through their resource policy",
        severity: Severity::Critical,
        resource_types: &[crate::FUNCTION],
        rationale: "A resource policy that allows \"*\" without conditions lets anyone invoke the function, running its code with its role's permissions and at the account's expense.",
        remediation: "aws lambda remove-permission --function-name FUNCTION --statement-id SID for each statement granting Principal \"*\"; grant callers again with aws lambda add-permission --principal ACCOUNT_OR_SERVICE --source-account ACCOUNT --source-arn ARN.",
        references: &[
            reference("aws-config-rule", "LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED"),
            reference("prowler", "awslambda_function_not_publicly_accessible"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for function in inv.items(crate::FUNCTION).iter() {
        public_policy_verdict(out, function, "Function", "resource policy", function.supplementary("/Policy"));
    }
}
