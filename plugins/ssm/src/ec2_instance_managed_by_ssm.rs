//! EC2 instances are managed by AWS Systems Manager.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

const INSTANCE: &str = "AWS::EC2::Instance";

/// Our own resource type: `DescribeInstanceInformation`, one item per instance
/// registered with Systems Manager (resource id = instance id).
const MANAGED_INSTANCE: &str = "SecureBase::SSM::ManagedInstance";

/// Our own resource type, one per region whose managed instances were read: without
/// it, an instance missing from the list says nothing (the list could not be read).
const LISTED: &str = "SecureBase::SSM::ManagedInstanceList";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_instance_managed_by_ssm",
        title: "EC2 instances are managed by AWS Systems Manager",
        severity: Severity::Medium,
        resource_types: &[INSTANCE],
        rationale: "An instance Systems Manager does not manage cannot be patched by Patch Manager, inventoried or reached through Session Manager without opening SSH or RDP, so it drifts out of view and out of date.",
        remediation: "Install the SSM Agent and give the instance a role with the AmazonSSMManagedInstanceCore policy: aws ec2 associate-iam-instance-profile --instance-id ID --iam-instance-profile Name=PROFILE (or turn on Default Host Management Configuration for the region); the agent needs a route to the ssm, ssmmessages and ec2messages endpoints.",
        references: &[reference("aws-config-rule", "EC2_INSTANCE_MANAGED_BY_SSM"), reference("prowler", "ec2_instance_managed_by_ssm")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    let managed = inv.items(MANAGED_INSTANCE);
    let listed = inv.items(LISTED);
    for i in inv.items(INSTANCE).iter() {
        if securebase_plugin_sdk::aws::ec2_instance_not_judged(i, out) {
            continue;
        }
        let state = i.config_str("/state/name").unwrap_or("state not recorded");
        let name = i.name();
        if !listed.iter().any(|l| l.region == i.region) {
            out.error(i, format!("Instance {name}: the instances Systems Manager manages in {} could not be read.", i.region));
            continue;
        }
        let id = i.config_str("/instanceId").unwrap_or(&i.resource_id);
        match managed.iter().find(|m| m.resource_id == id || m.config_str("/instanceId") == Some(id)) {
            Some(m) => {
                let ping = m.config_str("/pingStatus").unwrap_or("unknown");
                out.pass(i, format!("Instance {name} is managed by Systems Manager (agent ping status {ping})."));
            }
            None => out.fail(i, format!("Instance {name} ({state}) is not managed by Systems Manager.")),
        }
    }
}
