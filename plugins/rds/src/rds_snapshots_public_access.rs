//! No RDS snapshot can be restored by anyone.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

const SNAPSHOT: &str = "AWS::RDS::DBSnapshot";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "rds_snapshots_public_access",
        title: "RDS snapshots are not public",
        severity: Severity::Critical,
        resource_types: &[SNAPSHOT],
        rationale: "Any AWS account can restore a public snapshot and read the whole database.",
        remediation: "aws rds modify-db-snapshot-attribute --db-snapshot-identifier ID --attribute-name restore --values-to-remove all",
        references: &[reference("aws-config-rule", "RDS_SNAPSHOTS_PUBLIC_PROHIBITED"), reference("prowler", "rds_snapshots_public_access")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for s in inv.items(SNAPSHOT).iter() {
        let public = s.supplementary("/DBSnapshotAttributes").and_then(|a| a.as_array()).is_some_and(|attrs| {
            attrs.iter().any(|a| {
                a.get("attributeName").and_then(|n| n.as_str()) == Some("restore")
                    && a.get("attributeValues").and_then(|v| v.as_array()).is_some_and(|v| v.iter().any(|x| x.as_str() == Some("all")))
            })
        });
        out.verdict(
            s,
            !public,
            format!("Snapshot {} is private.", s.name()),
            format!("Snapshot {} can be restored by any AWS account.", s.name()),
        );
    }
}
