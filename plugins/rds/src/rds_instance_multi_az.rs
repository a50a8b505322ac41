//! RDS instances run in more than one Availability Zone.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "rds_instance_multi_az",
        title: "RDS instances have Multi-AZ enabled",
        severity: Severity::Medium,
        resource_types: &[crate::INSTANCE],
        rationale: "A Single-AZ instance has no standby: the loss of its Availability Zone, host or storage takes the database down until it is restored from backup. With Multi-AZ, RDS keeps a synchronous standby in another zone and fails over to it. Aurora, DocumentDB and Neptune instances get their availability from their cluster, so they do not apply, as in AWS Config's rule.",
        remediation: "aws rds modify-db-instance --db-instance-identifier ID --multi-az --apply-immediately",
        references: &[reference("aws-config-rule", "RDS_MULTI_AZ_SUPPORT"), reference("prowler", "rds_instance_multi_az")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for db in inv.items(crate::INSTANCE).iter() {
        let name = db.name();
        if crate::cluster_engine(db) {
            out.not_applicable(db, format!("DB instance {name} ({}) takes its availability from its cluster.", crate::engine(db)));
            continue;
        }
        out.verdict(
            db,
            db.config_bool("/multiAZ") == Some(true),
            format!("DB instance {name} is a Multi-AZ deployment."),
            format!("DB instance {name} runs in a single Availability Zone."),
        );
    }
}
