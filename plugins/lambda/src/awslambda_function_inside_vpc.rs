//! Functions run inside a VPC.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "awslambda_function_inside_vpc",
        title: "Lambda functions run inside a VPC",
        severity: Severity::Low,
        resource_types: &[crate::FUNCTION],
        rationale: "A function attached to a VPC reaches private resources without exposing them, and its network traffic is subject to security groups, network ACLs and flow logs.",
        remediation: "aws lambda update-function-configuration --function-name FUNCTION --vpc-config SubnetIds=SUBNET_A,SUBNET_B,SecurityGroupIds=SG_ID",
        references: &[reference("aws-config-rule", "LAMBDA_INSIDE_VPC"), reference("prowler", "awslambda_function_inside_vpc")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for function in inv.items(crate::FUNCTION).iter() {
        let name = function.name();
        // Outside a VPC, vpcConfig is absent or holds empty lists.
        let subnets = function.config("/vpcConfig/subnetIds").and_then(Value::as_array).map_or(0, Vec::len);
        out.verdict(
            function,
            subnets > 0,
            format!("Function {name} runs inside a VPC ({subnets} subnet(s))."),
            format!("Function {name} is not attached to a VPC."),
        );
    }
}
