//! Instances require IMDSv2 session tokens (or have the metadata service off).

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

const INSTANCE: &str = "AWS::EC2::Instance";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_instance_imdsv2_enabled",
        title: "EC2 instances require IMDSv2",
        severity: Severity::Medium,
        resource_types: &[INSTANCE],
        rationale: "IMDSv1 answers any GET request, so a server-side request forgery can steal the instance role's credentials; IMDSv2's session tokens stop that.",
        remediation: "aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens required --http-endpoint enabled",
        references: &[
            reference("aws-config-rule", "EC2_IMDSV2_CHECK"),
            reference("prowler", "ec2_instance_imdsv2_enabled"),
            reference("cis", "5.6"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for i in inv.items(INSTANCE).iter() {
        let name = i.name();
        if i.config_str("/metadataOptions/httpEndpoint") == Some("disabled") {
            out.pass(i, format!("Instance {name} has the metadata service disabled."));
            continue;
        }
        match i.config_str("/metadataOptions/httpTokens") {
            Some("required") => out.pass(i, format!("Instance {name} requires IMDSv2.")),
            other => out.fail(i, format!("Instance {name} allows IMDSv1 (httpTokens={}).", other.unwrap_or("unset"))),
        }
    }
}
