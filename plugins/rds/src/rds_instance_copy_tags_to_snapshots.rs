//! RDS instances copy their tags to their snapshots.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "rds_instance_copy_tags_to_snapshots",
        title: "RDS instances copy their tags to snapshots",
        severity: Severity::Low,
        resource_types: &[crate::INSTANCE],
        rationale: "Tags carry ownership, data classification and the conditions of tag-based access policies; snapshots that do not inherit them escape those policies and cannot be traced to the data they hold. Aurora, DocumentDB and Neptune set this on the cluster, so their instances do not apply.",
        remediation: "aws rds modify-db-instance --db-instance-identifier ID --copy-tags-to-snapshot --apply-immediately",
        references: &[reference("prowler", "rds_instance_copy_tags_to_snapshots")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for db in inv.items(crate::INSTANCE).iter() {
        let name = db.name();
        if crate::cluster_engine(db) {
            out.not_applicable(db, format!("DB instance {name} ({}) copies tags as its cluster says.", crate::engine(db)));
            continue;
        }
        out.verdict(
            db,
            db.config_bool("/copyTagsToSnapshot") == Some(true),
            format!("DB instance {name} copies its tags to snapshots."),
            format!("DB instance {name} does not copy its tags to snapshots."),
        );
    }
}
