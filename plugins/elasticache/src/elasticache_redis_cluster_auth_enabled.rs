//! ElastiCache replication groups require an AUTH token.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elasticache_redis_cluster_auth_enabled",
        title: "ElastiCache replication groups require Redis AUTH",
        severity: Severity::Medium,
        resource_types: &[crate::REPLICATION_GROUP],
        rationale: "Without AUTH, any client that can reach a node's endpoint can read, change and flush the cache, including the session data and tokens applications keep there. AWS Config's rule only judges engines older than Redis 6, leaving newer ones to role-based access control; which user groups a replication group uses is not collected, so this check asks every group for an AUTH token.",
        remediation: "With encryption in transit on, aws elasticache modify-replication-group --replication-group-id GROUP --auth-token TOKEN --auth-token-update-strategy ROTATE --apply-immediately (16 to 128 printable characters; keep the token in Secrets Manager, not in shell history), then update the clients to send it.",
        references: &[
            reference("aws-config-rule", "ELASTICACHE_REPL_GRP_REDIS_AUTH_ENABLED"),
            reference("url", "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for group in inv.items(crate::REPLICATION_GROUP).iter() {
        let name = group.name();
        // Off is the default when the flag is not recorded.
        out.verdict(
            group,
            group.config_bool("/authTokenEnabled") == Some(true),
            format!("Replication group {name} requires an AUTH token."),
            format!("Replication group {name} does not require an AUTH token, so any client that reaches it can run commands."),
        );
    }
}
