//! RDS instances accept IAM database authentication.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// Engine names (prefixes) that support IAM database authentication: MySQL, MariaDB,
/// PostgreSQL and both Aurora editions. Oracle, SQL Server and Db2 do not.
const IAM_ENGINES: &[&str] = &["mysql", "mariadb", "postgres", "aurora"];

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "rds_instance_iam_authentication_enabled",
        title: "RDS instances have IAM database authentication enabled",
        severity: Severity::Medium,
        resource_types: &[crate::INSTANCE],
        rationale: "With IAM database authentication, connections use short-lived tokens issued to IAM identities instead of long-lived database passwords, so access is granted, audited and revoked in IAM. Engines that cannot use it (Oracle, SQL Server, Db2) do not apply.",
        remediation: "aws rds modify-db-instance --db-instance-identifier ID --enable-iam-database-authentication --apply-immediately (for Aurora, aws rds modify-db-cluster --db-cluster-identifier CLUSTER --enable-iam-database-authentication), then grant rds-db:connect to the roles that connect.",
        references: &[
            reference("aws-config-rule", "RDS_INSTANCE_IAM_AUTHENTICATION_ENABLED"),
            reference("prowler", "rds_instance_iam_authentication_enabled"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for db in inv.items(crate::INSTANCE).iter() {
        let name = db.name();
        let engine = crate::engine(db);
        if !engine.is_empty() && !IAM_ENGINES.iter().any(|e| engine.starts_with(e)) {
            out.not_applicable(db, format!("DB instance {name} runs {engine}, which does not support IAM database authentication."));
            continue;
        }
        out.verdict(
            db,
            db.config_bool("/iAMDatabaseAuthenticationEnabled") == Some(true),
            format!("DB instance {name} accepts IAM database authentication."),
            format!("DB instance {name} does not have IAM database authentication enabled."),
        );
    }
}
