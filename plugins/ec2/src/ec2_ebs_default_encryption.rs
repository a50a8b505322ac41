//! EBS encryption by default is on in every region.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// Our own resource type: AWS Config has none for this per-region account setting.
const EBS_DEFAULT: &str = "SecureBase::EC2::EbsEncryptionByDefault";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ec2_ebs_default_encryption",
        title: "EBS encryption by default is enabled in every region",
        severity: Severity::Medium,
        resource_types: &[EBS_DEFAULT],
        rationale: "With encryption by default, every new volume and snapshot copy is encrypted without relying on each launch template.",
        remediation: "aws ec2 enable-ebs-encryption-by-default --region REGION (in every region in use)",
        references: &[
            reference("aws-config-rule", "EC2_EBS_ENCRYPTION_BY_DEFAULT"),
            reference("prowler", "ec2_ebs_default_encryption"),
            reference("cis", "2.2.1"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for s in inv.items(EBS_DEFAULT).iter() {
        out.verdict(
            s,
            s.config_bool("/ebsEncryptionByDefault") == Some(true),
            format!("EBS encryption by default is enabled in {}.", s.region),
            format!("EBS encryption by default is disabled in {}.", s.region),
        );
    }
}
