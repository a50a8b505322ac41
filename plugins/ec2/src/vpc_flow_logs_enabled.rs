//! Every VPC has a flow log.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

const VPC: &str = "AWS::EC2::VPC";
const FLOW_LOG: &str = "AWS::EC2::FlowLog";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "vpc_flow_logs_enabled",
        title: "VPC flow logging is enabled in all VPCs",
        severity: Severity::Medium,
        resource_types: &[VPC],
        rationale: "Flow logs record the traffic in and out of a VPC, which detecting and investigating intrusions depends on.",
        remediation: "aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC_ID --traffic-type REJECT --log-destination-type s3 --log-destination arn:aws:s3:::BUCKET",
        references: &[
            reference("aws-config-rule", "VPC_FLOW_LOGS_ENABLED"),
            reference("prowler", "vpc_flow_logs_enabled"),
            reference("cis", "3.7"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let logs = inv.items(FLOW_LOG);
    for vpc in inv.items(VPC).iter() {
        let id = vpc.config_str("/vpcId").unwrap_or(&vpc.resource_id);
        let active = logs.iter().find(|l| {
            l.config_str("/resourceId") == Some(id) && l.config_str("/flowLogStatus").is_none_or(|s| s.eq_ignore_ascii_case("ACTIVE"))
        });
        match active {
            Some(l) => {
                out.pass(vpc, format!("VPC {id} has flow log {} ({} traffic).", l.resource_id, l.config_str("/trafficType").unwrap_or("?")))
            }
            None => out.fail(vpc, format!("VPC {id} has no active flow log.")),
        }
    }
}
