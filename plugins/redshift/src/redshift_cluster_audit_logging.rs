//! Redshift clusters have audit logging enabled.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "redshift_cluster_audit_logging",
        title: "Redshift clusters have audit logging enabled",
        severity: Severity::Medium,
        resource_types: &[crate::CLUSTER],
        rationale: "Audit logs record connection attempts, changes to database users and the queries run, which is what an investigation of access to the warehouse's data needs; they are off by default.",
        remediation: "aws redshift enable-logging --cluster-identifier CLUSTER --log-destination-type cloudwatch --log-exports connectionlog userlog useractivitylog (or --log-destination-type s3 --bucket-name BUCKET); the user activity log also needs enable_user_activity_logging=true in the cluster's parameter group.",
        references: &[
            reference("aws-config-rule", "REDSHIFT_AUDIT_LOGGING_ENABLED"),
            reference("prowler", "redshift_cluster_audit_logging"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for cluster in inv.items(crate::CLUSTER).iter() {
        let name = cluster.name();
        if cluster.supplementary("/LoggingStatus").is_none_or(|v| v.is_null()) {
            out.fail(cluster, format!("Cluster {name} has no logging status recorded, so audit logging is taken as off (the default)."));
            continue;
        }
        if cluster.supplementary_bool("/LoggingStatus/loggingEnabled") != Some(true) {
            out.fail(cluster, format!("Cluster {name} has audit logging disabled."));
            continue;
        }
        let to_cloudwatch =
            cluster.supplementary_str("/LoggingStatus/logDestinationType").is_some_and(|d| d.eq_ignore_ascii_case("cloudwatch"));
        if to_cloudwatch {
            out.pass(cluster, format!("Cluster {name} sends its audit logs to CloudWatch Logs."));
        } else if let Some(bucket) = cluster.supplementary_str("/LoggingStatus/bucketName").filter(|b| !b.is_empty()) {
            out.pass(cluster, format!("Cluster {name} sends its audit logs to S3 bucket {bucket}."));
        } else {
            out.pass(cluster, format!("Cluster {name} has audit logging enabled."));
        }
    }
}
