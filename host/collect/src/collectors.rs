//! The collectors, in one table: each entry names the service its error entries carry,
//! where it runs (once per account or once per enabled region), every IAM action it
//! calls, and the function that collects. The fan-out runs exactly the table (a collector
//! in it cannot be left out of the results; one not in it never runs), and the read-only
//! role's policy (`infra/iam/securebase-readonly-policy.json`) must grant exactly the
//! table's actions and the few calls made outside the collectors, declared here too.
//!
//! The declared actions are checked twice: against the policy file by a unit test here,
//! and against the calls a full collection of a seeded moto account really makes
//! ([`crate::CallLog`], `tests/collect.rs`), so a collector that starts calling something
//! new fails until its entry (and the policy) say so.

use crate::sink::Sink;
use crate::{
    Scope, accessanalyzer, account, acm, apigateway, autoscaling, backup, cloudfront, cloudtrail, cloudwatch, config, dynamodb, ec2, ecr,
    ecs, efs, eks, elasticache, elb, elbv2, guardduty, iam, inspector, kms, lambda, macie, opensearch, organizations, rds, redshift, s3,
    secretsmanager, securityhub, sns, sqs, ssm,
};
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

/// Where a collector runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Once per account, for its global resources (the scope's region is `global`).
    Global,
    /// Once per account, in its home region (the first region named for it).
    Home,
    /// Once in every enabled region, concurrently with the region's other collectors.
    Regional,
}

/// What a collector does with a scope: a future of what it collected (items and error
/// entries). One lifetime for the scope and its borrows is enough, since `Scope` is
/// covariant in it.
pub(crate) type Run = for<'a> fn(&'a Scope<'a>) -> Pin<Box<dyn Future<Output = Sink> + Send + 'a>>;

/// One collector of the table.
pub struct Collector {
    /// The service its error entries name (`CollectError::service`); also one of
    /// [`COLLECTED_SERVICES`](crate::COLLECTED_SERVICES).
    pub service: &'static str,
    /// Where it runs.
    pub reach: Reach,
    /// Every IAM action it may call (sorted), as the read-only role's policy names them
    /// (see [`iam_action`](crate::iam_action)): under its own service's prefix, and under
    /// another's only where a fact about its resources is that service's alone to tell (an
    /// Application Load Balancer's AWS WAF web ACL).
    pub actions: &'static [&'static str],
    /// The collector itself.
    pub(crate) run: Run,
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector").field("service", &self.service).field("reach", &self.reach).field("actions", &self.actions).finish()
    }
}

/// Every collector. An entry here is all it takes for a collector to run; its actions
/// must be in the read-only policy, and the policy must hold nothing else.
pub static COLLECTORS: &[Collector] = &[
    Collector {
        service: iam::SERVICE,
        reach: Reach::Global,
        actions: &[
            "iam:GenerateCredentialReport",
            "iam:GetAccountAuthorizationDetails",
            "iam:GetAccountPasswordPolicy",
            "iam:GetAccountSummary",
            "iam:GetCredentialReport",
            "iam:ListServerCertificates",
            "iam:ListVirtualMFADevices",
        ],
        run: |s| Box::pin(iam::collect(s)),
    },
    Collector {
        service: s3::SERVICE,
        reach: Reach::Global,
        actions: &[
            "s3:GetBucketAcl",
            "s3:GetBucketLocation",
            "s3:GetBucketLogging",
            "s3:GetBucketPolicy",
            "s3:GetBucketPublicAccessBlock",
            "s3:GetBucketTagging",
            "s3:GetBucketVersioning",
            "s3:GetEncryptionConfiguration",
            "s3:ListAllMyBuckets",
        ],
        run: |s| Box::pin(s3::buckets(s)),
    },
    Collector {
        service: s3::SERVICE,
        reach: Reach::Home,
        actions: &["s3:GetAccountPublicAccessBlock"],
        run: |s| Box::pin(s3::account_public_access_block(s)),
    },
    Collector {
        service: ec2::SERVICE,
        reach: Reach::Regional,
        actions: &[
            "ec2:DescribeFlowLogs",
            "ec2:DescribeImages",
            "ec2:DescribeInstances",
            "ec2:DescribeLaunchTemplateVersions",
            "ec2:DescribeLaunchTemplates",
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSnapshotAttribute",
            "ec2:DescribeSnapshots",
            "ec2:DescribeVolumes",
            "ec2:DescribeVpcs",
            "ec2:GetEbsEncryptionByDefault",
        ],
        run: |s| Box::pin(ec2::collect(s)),
    },
    Collector {
        service: cloudtrail::SERVICE,
        reach: Reach::Regional,
        actions: &["cloudtrail:DescribeTrails", "cloudtrail:GetEventSelectors", "cloudtrail:GetTrailStatus"],
        run: |s| Box::pin(cloudtrail::collect(s)),
    },
    Collector {
        service: cloudwatch::SERVICE,
        reach: Reach::Regional,
        actions: &["cloudwatch:DescribeAlarms"],
        run: |s| Box::pin(cloudwatch::alarms(s)),
    },
    Collector {
        service: cloudwatch::LOGS_SERVICE,
        reach: Reach::Regional,
        actions: &["logs:DescribeLogGroups", "logs:DescribeMetricFilters"],
        run: |s| Box::pin(cloudwatch::logs(s)),
    },
    Collector {
        service: config::SERVICE,
        reach: Reach::Regional,
        actions: &["config:DescribeConfigurationRecorderStatus", "config:DescribeConfigurationRecorders"],
        run: |s| Box::pin(config::recorders(s)),
    },
    Collector {
        service: kms::SERVICE,
        reach: Reach::Regional,
        actions: &["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListKeys"],
        run: |s| Box::pin(kms::collect(s)),
    },
    Collector {
        service: rds::SERVICE,
        reach: Reach::Regional,
        actions: &["rds:DescribeDBInstances", "rds:DescribeDBSnapshotAttributes", "rds:DescribeDBSnapshots"],
        run: |s| Box::pin(rds::collect(s)),
    },
    Collector {
        service: efs::SERVICE,
        reach: Reach::Regional,
        actions: &["elasticfilesystem:DescribeBackupPolicy", "elasticfilesystem:DescribeFileSystems"],
        run: |s| Box::pin(efs::collect(s)),
    },
    Collector {
        service: dynamodb::SERVICE,
        reach: Reach::Regional,
        actions: &["dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTable", "dynamodb:ListTables"],
        run: |s| Box::pin(dynamodb::collect(s)),
    },
    Collector {
        service: sqs::SERVICE,
        reach: Reach::Regional,
        actions: &["sqs:GetQueueAttributes", "sqs:ListQueues"],
        run: |s| Box::pin(sqs::collect(s)),
    },
    Collector {
        service: sns::SERVICE,
        reach: Reach::Regional,
        actions: &["sns:GetTopicAttributes", "sns:ListTopics"],
        run: |s| Box::pin(sns::collect(s)),
    },
    Collector {
        service: secretsmanager::SERVICE,
        reach: Reach::Regional,
        actions: &["secretsmanager:ListSecrets"],
        run: |s| Box::pin(secretsmanager::collect(s)),
    },
    Collector {
        service: lambda::SERVICE,
        reach: Reach::Regional,
        actions: &["lambda:GetPolicy", "lambda:ListFunctions"],
        run: |s| Box::pin(lambda::collect(s)),
    },
    Collector {
        service: ecr::SERVICE,
        reach: Reach::Regional,
        actions: &["ecr:DescribeRepositories", "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy"],
        run: |s| Box::pin(ecr::collect(s)),
    },
    Collector {
        service: cloudfront::SERVICE,
        reach: Reach::Global,
        actions: &["cloudfront:GetDistributionConfig", "cloudfront:ListDistributions"],
        run: |s| Box::pin(cloudfront::collect(s)),
    },
    Collector {
        service: elbv2::SERVICE,
        reach: Reach::Regional,
        // The web ACL of each Application Load Balancer is asked of AWS WAF.
        actions: &[
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeLoadBalancers",
            "wafv2:GetWebACLForResource",
        ],
        run: |s| Box::pin(elbv2::collect(s)),
    },
    Collector {
        service: elb::SERVICE,
        reach: Reach::Regional,
        actions: &["elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeLoadBalancers"],
        run: |s| Box::pin(elb::collect(s)),
    },
    Collector {
        service: acm::SERVICE,
        reach: Reach::Regional,
        actions: &["acm:DescribeCertificate", "acm:ListCertificates"],
        run: |s| Box::pin(acm::collect(s)),
    },
    Collector {
        service: redshift::SERVICE,
        reach: Reach::Regional,
        actions: &["redshift:DescribeClusters", "redshift:DescribeLoggingStatus"],
        run: |s| Box::pin(redshift::collect(s)),
    },
    Collector {
        service: opensearch::SERVICE,
        reach: Reach::Regional,
        actions: &["es:DescribeDomain", "es:ListDomainNames"],
        run: |s| Box::pin(opensearch::collect(s)),
    },
    Collector {
        service: eks::SERVICE,
        reach: Reach::Regional,
        actions: &["eks:DescribeCluster", "eks:ListClusters"],
        run: |s| Box::pin(eks::collect(s)),
    },
    Collector {
        service: ecs::SERVICE,
        reach: Reach::Regional,
        actions: &["ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitionFamilies"],
        run: |s| Box::pin(ecs::collect(s)),
    },
    Collector {
        service: organizations::SERVICE,
        reach: Reach::Global,
        actions: &[
            "organizations:DescribeOrganization",
            "organizations:DescribePolicy",
            "organizations:ListAccountsForParent",
            "organizations:ListOrganizationalUnitsForParent",
            "organizations:ListPolicies",
            "organizations:ListRoots",
            "organizations:ListTargetsForPolicy",
        ],
        run: |s| Box::pin(organizations::collect(s)),
    },
    Collector {
        service: account::SERVICE,
        reach: Reach::Global,
        actions: &["account:GetAlternateContact"],
        run: |s| Box::pin(account::collect(s)),
    },
    Collector {
        service: apigateway::SERVICE,
        reach: Reach::Regional,
        // API Gateway's control plane is authorized by HTTP method on the resource path:
        // Every read of REST and HTTP/WebSocket APIs (GetRestApis, GetResources, GetApis,
        // GetRoutes, GetStages...) is apigateway:GET.
        actions: &["apigateway:GET"],
        run: |s| Box::pin(apigateway::collect(s)),
    },
    Collector {
        service: backup::SERVICE,
        reach: Reach::Regional,
        actions: &["backup:ListBackupPlans", "backup:ListBackupVaults"],
        run: |s| Box::pin(backup::collect(s)),
    },
    Collector {
        service: elasticache::SERVICE,
        reach: Reach::Regional,
        actions: &["elasticache:DescribeReplicationGroups"],
        run: |s| Box::pin(elasticache::collect(s)),
    },
    Collector {
        service: autoscaling::SERVICE,
        reach: Reach::Regional,
        actions: &["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeLaunchConfigurations"],
        run: |s| Box::pin(autoscaling::collect(s)),
    },
    Collector {
        service: ssm::SERVICE,
        reach: Reach::Regional,
        actions: &["ssm:DescribeDocumentPermission", "ssm:DescribeInstanceInformation", "ssm:GetDocument", "ssm:ListDocuments"],
        run: |s| Box::pin(ssm::collect(s)),
    },
    Collector {
        service: macie::SERVICE,
        reach: Reach::Regional,
        actions: &["macie2:GetMacieSession"],
        run: |s| Box::pin(macie::collect(s)),
    },
    Collector {
        service: inspector::SERVICE,
        reach: Reach::Regional,
        actions: &["inspector2:BatchGetAccountStatus"],
        run: |s| Box::pin(inspector::collect(s)),
    },
    Collector {
        service: guardduty::SERVICE,
        reach: Reach::Regional,
        actions: &["guardduty:GetDetector", "guardduty:ListDetectors"],
        run: |s| Box::pin(guardduty::collect(s)),
    },
    Collector {
        service: securityhub::SERVICE,
        reach: Reach::Regional,
        actions: &["securityhub:DescribeHub"],
        run: |s| Box::pin(securityhub::collect(s)),
    },
    Collector {
        service: accessanalyzer::SERVICE,
        reach: Reach::Regional,
        actions: &["access-analyzer:ListAnalyzers"],
        run: |s| Box::pin(accessanalyzer::collect(s)),
    },
];

/// The read-only role's calls outside the collectors: which named regions are enabled
/// (`DescribeRegions`, once per account), and AWS Config as the source of items
/// (`--source config`: the recorders, then `ListDiscoveredResources` and
/// `BatchGetResourceConfig` per recorded type).
pub const ROLE_ACTIONS_OUTSIDE_COLLECTORS: &[&str] = &[
    "config:BatchGetResourceConfig",
    "config:DescribeConfigurationRecorderStatus",
    "config:DescribeConfigurationRecorders",
    "config:ListDiscoveredResources",
    "ec2:DescribeRegions",
];

/// Calls made with the caller's own credentials, never through the read-only role
/// (`infra/iam/securebase-caller-policy.json`): assuming the role, Organizations
/// discovery (`[organization]`) and the AWS Config aggregator (`--source aggregator:`).
pub const CALLER_ACTIONS: &[&str] = &["config:SelectAggregateResourceConfig", "organizations:ListAccounts", "sts:AssumeRole"];

/// Called for every account to check whose credentials these are; needs no permission
/// (AWS answers it for any credentials), so no policy grants it.
pub const UNPERMISSIONED_ACTIONS: &[&str] = &["sts:GetCallerIdentity"];

/// Every action the read-only role must grant: the collectors' and
/// [`ROLE_ACTIONS_OUTSIDE_COLLECTORS`].
pub fn read_only_actions() -> BTreeSet<&'static str> {
    COLLECTORS.iter().flat_map(|c| c.actions.iter().copied()).chain(ROLE_ACTIONS_OUTSIDE_COLLECTORS.iter().copied()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The `Action`s of every statement of a policy file under `infra/iam/`, checking on
    /// the way that it only allows and names no wildcard.
    fn granted(file: &str) -> BTreeSet<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/iam").join(file);
        let policy: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut out = BTreeSet::new();
        for statement in policy["Statement"].as_array().unwrap() {
            assert_eq!(statement["Effect"], "Allow", "{file}");
            assert!(statement.get("NotAction").is_none(), "{file}: least privilege: no NotAction");
            let actions = match &statement["Action"] {
                Value::String(one) => vec![one.as_str()],
                many => many.as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect(),
            };
            for action in actions {
                assert!(!action.contains('*'), "{file}: least privilege: {action} is a wildcard");
                out.insert(action.to_string());
            }
        }
        out
    }

    fn owned(actions: impl IntoIterator<Item = &'static str>) -> BTreeSet<String> {
        actions.into_iter().map(str::to_string).collect()
    }

    #[test]
    fn the_read_only_policy_grants_exactly_the_declared_actions() {
        let granted = granted("securebase-readonly-policy.json");
        let declared = owned(read_only_actions());
        let missing: Vec<_> = declared.difference(&granted).collect();
        assert!(missing.is_empty(), "the collectors are declared to call actions the read-only policy does not grant: {missing:?}");
        let unused: Vec<_> = granted.difference(&declared).collect();
        assert!(unused.is_empty(), "the read-only policy grants actions no collector is declared to call: {unused:?}");
    }

    #[test]
    fn the_caller_policy_grants_exactly_the_caller_actions() {
        assert_eq!(granted("securebase-caller-policy.json"), owned(CALLER_ACTIONS.iter().copied()));
    }

    #[test]
    fn every_collector_declares_its_calls_sorted_and_under_its_service_prefix() {
        // The one collector that asks a second service, and which.
        let companions = [("elasticloadbalancing", "wafv2")];
        for c in COLLECTORS {
            assert!(!c.actions.is_empty(), "{c:?}");
            assert!(c.actions.windows(2).all(|w| w[0] < w[1]), "not sorted or not unique: {c:?}");
            let prefixes: BTreeSet<&str> = c.actions.iter().map(|a| a.split_once(':').expect("service:Action").0).collect();
            let asked_of_another = |p: &&str| companions.iter().any(|(own, other)| other == p && prefixes.contains(own));
            let own: Vec<&&str> = prefixes.iter().filter(|p| !asked_of_another(p)).collect();
            assert_eq!(own.len(), 1, "{c:?} calls more than its own service");
        }
        for list in [ROLE_ACTIONS_OUTSIDE_COLLECTORS, CALLER_ACTIONS, UNPERMISSIONED_ACTIONS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "not sorted or not unique: {list:?}");
        }
        // The read-only role is never asked for what only the caller may do.
        let caller = owned(CALLER_ACTIONS.iter().copied());
        assert!(owned(read_only_actions()).is_disjoint(&caller));
    }

    #[test]
    fn the_collected_services_are_the_table_s() {
        let services: BTreeSet<&str> = COLLECTORS.iter().map(|c| c.service).collect();
        assert_eq!(services.into_iter().collect::<Vec<_>>(), crate::COLLECTED_SERVICES);
    }
}
