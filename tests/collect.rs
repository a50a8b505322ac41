//! Live collection against a real local AWS mock: moto's server, started here on
//! loopback and stopped afterwards, seeded with boto3 (`tests/moto/seed.py`) with a
//! known mix of compliant and non-compliant resources across the services;
//! `securebase scan --accounts` collects and evaluates it in one pipeline, and
//! `securebase collect` writes a snapshot that scans the same.

use securebase_e2e::moto::{Moto, Server, free_port, script};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

fn securebase(args: &[&str], cache: &Path) -> Output {
    Command::new(securebase_e2e::binary())
        .args(args)
        .env("SECUREBASE_CACHE_DIR", cache)
        // Credentials for the mock only; nothing else of the machine's AWS setup.
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap()
}

/// moto's default account, two regions, the role assumed through moto's STS.
fn accounts_file(dir: &Path) -> String {
    let path = dir.join("accounts.toml");
    std::fs::write(
        &path,
        "[defaults]\nregions = [\"us-east-1\", \"eu-west-1\"]\n\n[[account]]\nid = \"123456789012\"\nname = \"mock\"\n\
         role_arn = \"arn:aws:iam::123456789012:role/SecureBaseReadOnly\"\nexternal_id = \"do-not-log-me\"\n",
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

/// The collection warnings a run printed, as `service [region]: call` (messages cut).
fn warnings(stderr: &str) -> BTreeSet<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning: account 123456789012 "))
        .map(|l| l.split(':').next().unwrap().to_string() + ":" + l.split(':').nth(1).unwrap_or(""))
        .collect()
}

/// One account's findings: (check, resource id, region) -> (status, message).
fn findings(report: &Value) -> BTreeMap<(String, String, String), (String, String)> {
    let s = |v: &Value| v.as_str().unwrap().to_string();
    report["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| ((s(&f["check_id"]), s(&f["resource_id"]), s(&f["region"])), (s(&f["status"]), s(&f["message"]))))
        .collect()
}

/// The one finding of `check` whose resource id, region or message names `what`.
fn verdict<'a>(all: &'a BTreeMap<(String, String, String), (String, String)>, check: &str, what: &str) -> &'a str {
    let hits: Vec<_> = all
        .iter()
        .filter(|((c, id, region), (_, message))| c == check && (id == what || region == what || message.contains(what)))
        .collect();
    assert_eq!(hits.len(), 1, "{check} on {what}: expected one finding, found {hits:?}");
    hits[0].1.0.as_str()
}

#[test]
fn a_seeded_account_scans_like_the_seeded_truth() {
    let moto = Moto::start();
    let ids = moto.seed();
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts_file(dir.path());

    // Collection and evaluation in one pipeline.
    let live = securebase(&["scan", "--accounts", &accounts, "--endpoint-url", moto.url(), "--format", "json"], dir.path());
    let stderr = String::from_utf8_lossy(&live.stderr);
    assert!(live.status.success(), "{stderr}");
    assert!(stderr.contains("Collected 1 of 1 account(s) (6 collection error(s))."), "{stderr}");
    // moto does not serve IAM Access Analyzer, nor SSM's DescribeInstanceInformation, and
    // answers Macie's GetMacieSession with a timestamp without a time zone, which the SDK
    // rightly refuses: the only error entries, one per region each.
    assert_eq!(
        warnings(&stderr),
        BTreeSet::from([
            "access-analyzer [eu-west-1]: ListAnalyzers".into(),
            "access-analyzer [us-east-1]: ListAnalyzers".into(),
            "macie2 [eu-west-1]: GetMacieSession".into(),
            "macie2 [us-east-1]: GetMacieSession".into(),
            "ssm [eu-west-1]: DescribeInstanceInformation".into(),
            "ssm [us-east-1]: DescribeInstanceInformation".into(),
        ]),
        "{stderr}"
    );
    assert!(!stderr.contains("do-not-log-me"), "neither the external id nor a secret is ever printed");
    let report: Value = serde_json::from_slice(&live.stdout).unwrap();
    assert_eq!(report["plugin_errors"].as_array().unwrap().len(), 0, "{}", report["plugin_errors"]);
    // The error entries are in the account's result too, not only on the terminal.
    let listed: Vec<(&str, &str, &str)> = report["collection_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["account_id"].as_str().unwrap(), e["service"].as_str().unwrap(), e["region"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [
            ("123456789012", "access-analyzer", "eu-west-1"),
            ("123456789012", "access-analyzer", "us-east-1"),
            ("123456789012", "macie2", "eu-west-1"),
            ("123456789012", "macie2", "us-east-1"),
            ("123456789012", "ssm", "eu-west-1"),
            ("123456789012", "ssm", "us-east-1"),
        ]
    );
    let all = findings(&report);
    let id = |name: &str| ids[name].as_str();
    let expect = |check: &str, what: &str, status: &str| {
        assert_eq!(verdict(&all, check, what), status, "{check} on {what}");
    };

    // S3: one bucket right on every check, one wrong on all of them.
    for check in [
        "s3_bucket_default_encryption",
        "s3_bucket_level_public_access_block",
        "s3_bucket_object_versioning",
        "s3_bucket_public_access",
        "s3_bucket_secure_transport_policy",
        "s3_bucket_server_access_logging_enabled",
    ] {
        assert_eq!(all[&(check.into(), "good-bucket".into(), "us-east-1".into())].0, "pass", "{check} on good-bucket");
        assert_eq!(all[&(check.into(), "bad-bucket".into(), "eu-west-1".into())].0, "fail", "{check} on bad-bucket");
    }
    // The log bucket grants the log-delivery group, which is not public.
    expect("s3_bucket_public_access", "good-logs", "pass");
    expect("s3_account_level_public_access_blocks", "123456789012", "fail");

    // EC2 and VPC.
    expect("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", "bad-ssh", "fail");
    expect("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", "good-internal", "pass");
    expect("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389", "bad-ssh", "fail");
    expect("ec2_securitygroup_allow_ingress_from_internet_to_all_ports", "bad-ssh", "pass");
    expect("ec2_networkacl_allow_ingress_tcp_port_22", id("good-acl"), "pass");
    expect("ec2_networkacl_allow_ingress_tcp_port_3389", id("good-acl"), "pass");
    expect("vpc_flow_logs_enabled", id("good-vpc"), "pass");
    expect("ec2_instance_imdsv2_enabled", "good-instance", "pass");
    expect("ec2_instance_imdsv2_enabled", "bad-instance", "fail");
    expect("ec2_ebs_volume_encryption", id("good-volume"), "pass");
    expect("ec2_ebs_volume_encryption", id("bad-volume"), "fail");
    expect("ec2_ebs_public_snapshot", id("good-snapshot"), "pass");
    expect("ec2_ebs_public_snapshot", id("bad-snapshot"), "fail");
    expect("ec2_ebs_default_encryption", "123456789012:us-east-1", "pass");
    expect("ec2_ebs_default_encryption", "123456789012:eu-west-1", "fail");
    // moto's default VPCs: no flow logs, network ACLs open to everything.
    let failing = |check: &str| all.iter().filter(|((c, ..), (s, _))| c == check && s == "fail").count();
    assert_eq!(failing("vpc_flow_logs_enabled"), 2);
    assert_eq!(failing("ec2_networkacl_allow_ingress_tcp_port_22"), 3);

    // IAM.
    expect("iam_inline_policy_no_administrative_privileges", "bad-user", "fail");
    expect("iam_customer_attached_policy_no_administrative_privileges", "bad-admin", "fail");
    expect("iam_customer_attached_policy_no_administrative_privileges", "good-readonly", "pass");
    expect("iam_policy_attached_only_to_group_or_roles", "bad-user", "fail");
    expect("iam_policy_attached_only_to_group_or_roles", "good-user", "pass");
    expect("iam_password_policy_minimum_length_14", "123456789012", "fail");
    expect("iam_password_policy_uppercase", "123456789012", "pass");
    expect("iam_password_policy_symbol", "123456789012", "fail");
    expect("iam_password_policy_reuse_24", "123456789012", "pass");
    expect("iam_password_policy_expires_passwords_within_90_days_or_less", "123456789012", "fail");
    expect("iam_no_root_access_key", "123456789012", "pass");

    // CloudTrail and CloudWatch: a multi-region trail with validation, logging to
    // CloudWatch Logs without KMS; a metric filter and an alarm for root usage only.
    for region in ["us-east-1", "eu-west-1"] {
        expect("cloudtrail_multi_region_enabled", region, "pass");
    }
    expect("cloudtrail_log_file_validation_enabled", "org-trail", "pass");
    expect("cloudtrail_cloudwatch_logging_enabled", "org-trail", "pass");
    expect("cloudtrail_kms_encryption_enabled", "org-trail", "fail");
    expect("cloudwatch_log_metric_filter_root_usage", "123456789012", "pass");
    expect("cloudwatch_log_metric_filter_unauthorized_api_calls", "123456789012", "fail");

    // Regional services on in the home region only.
    for check in ["config_recorder_all_regions_enabled", "guardduty_is_enabled", "securityhub_enabled"] {
        expect(check, "us-east-1", "pass");
        expect(check, "eu-west-1", "fail");
    }

    // KMS, RDS, EFS.
    expect("kms_cmk_rotation_enabled", id("good-key"), "pass");
    expect("kms_cmk_rotation_enabled", id("bad-key"), "fail");
    expect("rds_instance_storage_encrypted", "mixed-db", "pass");
    expect("rds_instance_no_public_access", "mixed-db", "pass");
    expect("rds_instance_backup_enabled", "mixed-db", "pass");
    expect("rds_instance_deletion_protection", "mixed-db", "fail");
    expect("rds_instance_minor_version_upgrade_enabled", "mixed-db", "fail");
    expect("rds_snapshots_public_access", "bad-db-snapshot", "fail");
    expect("rds_snapshots_public_access", "good-db-snapshot", "pass");
    for check in ["efs_encryption_at_rest_enabled", "efs_have_backup_enabled"] {
        expect(check, "good-efs", "pass");
        expect(check, "bad-efs", "fail");
    }

    // DynamoDB, SQS, SNS, Secrets Manager, ECR: one resource right on every check of its
    // service, one wrong on all of them.
    let good_and_bad: [(&str, &[&str]); 5] = [
        (
            "table",
            &["dynamodb_tables_pitr_enabled", "dynamodb_tables_kms_cmk_encryption_enabled", "dynamodb_table_deletion_protection_enabled"],
        ),
        (
            "queue",
            &["sqs_queues_server_side_encryption_enabled", "sqs_queues_not_publicly_accessible", "sqs_queues_secure_transport_policy"],
        ),
        (
            "topic",
            &["sns_topics_kms_encryption_at_rest_enabled", "sns_topics_not_publicly_accessible", "sns_topics_secure_transport_policy"],
        ),
        ("secret", &["secretsmanager_automatic_rotation_enabled", "secretsmanager_secret_encrypted_with_cmk"]),
        (
            "repo",
            &[
                "ecr_repositories_scan_images_on_push_enabled",
                "ecr_repositories_tag_immutability",
                "ecr_repositories_not_publicly_accessible",
                "ecr_repositories_lifecycle_policy_enabled",
            ],
        ),
    ];
    for (kind, checks) in good_and_bad {
        for check in checks {
            expect(check, &format!("good-{kind}"), "pass");
            expect(check, &format!("bad-{kind}"), "fail");
        }
    }
    // Both secrets were just made: neither is overdue for rotation (the never-rotated one
    // counts from its creation) nor unused yet (moto does not record reads).
    for check in ["secretsmanager_secret_rotated_periodically", "secretsmanager_secret_unused"] {
        expect(check, "good-secret", "pass");
        expect(check, "bad-secret", "pass");
    }
    // Load balancing, Redshift, OpenSearch, EKS, ECS, CloudFront: one resource right on
    // every check of its service, one wrong on all of them.
    let good_and_bad: [(&str, &str, &[&str]); 6] = [
        (
            "good-alb",
            "bad-alb",
            &[
                "elbv2_ssl_listeners",
                "elbv2_insecure_ssl_ciphers",
                "elbv2_logging_enabled",
                "elbv2_deletion_protection",
                "elbv2_desync_mitigation_mode",
                "elbv2_alb_drop_invalid_header_fields_enabled",
            ],
        ),
        (
            "good-warehouse",
            "bad-warehouse",
            &[
                "redshift_cluster_encrypted_at_rest",
                "redshift_cluster_public_access",
                "redshift_cluster_audit_logging",
                "redshift_cluster_enhanced_vpc_routing",
                "redshift_cluster_automatic_upgrades",
            ],
        ),
        (
            "good-search",
            "bad-search",
            &[
                "opensearch_service_domains_encryption_at_rest_enabled",
                "opensearch_service_domains_node_to_node_encryption_enabled",
                "opensearch_service_domains_https_communications_enforced",
                "opensearch_service_domains_in_vpc",
                "opensearch_service_domains_audit_logging_enabled",
                "opensearch_service_domains_fine_grained_access_control_enabled",
            ],
        ),
        (
            "good-cluster",
            "bad-cluster",
            &[
                "eks_endpoints_not_publicly_accessible",
                "eks_control_plane_logging_all_types_enabled",
                "eks_cluster_kms_cmk_encryption_in_secrets_enabled",
                "eks_cluster_uses_a_supported_version",
            ],
        ),
        (
            "good-task",
            "bad-task",
            &[
                "ecs_task_definitions_no_privileged_containers",
                "ecs_task_definitions_containers_readonly_access",
                "ecs_task_definitions_no_environment_secrets",
            ],
        ),
        (
            id("good-cdn"),
            id("bad-cdn"),
            &["cloudfront_distributions_https_enabled", "cloudfront_distributions_logging_enabled", "cloudfront_distributions_using_waf"],
        ),
    ];
    for (good, bad, checks) in good_and_bad {
        for check in checks {
            expect(check, good, "pass");
            expect(check, bad, "fail");
        }
    }
    // Host networking is only asked of tasks that use it; a classic load balancer on plain
    // HTTP without logs keeps AWS's default desync mode; ACM's transparency logging (the
    // certificates stay pending validation in moto, so their expiry does not apply).
    expect("ecs_task_definitions_host_networking_mode_users", "bad-task", "fail");
    // moto marks every distribution as on CloudFront's default certificate, even one with
    // an ACM certificate (AWS does not), so only the one on TLSv1 is asked about here.
    expect("cloudfront_distributions_minimum_tls_1_2", id("bad-cdn"), "fail");
    expect("elb_ssl_listeners", "bad-clb", "fail");
    expect("elb_logging_enabled", "bad-clb", "fail");
    expect("elb_desync_mitigation_mode", "bad-clb", "pass");
    expect("acm_certificates_transparency_logs_enabled", "good.example.com", "pass");
    expect("acm_certificates_transparency_logs_enabled", "bad.example.com", "fail");
    for domain in ["good.example.com", "bad.example.com"] {
        expect("acm_certificates_with_secure_key_algorithms", domain, "pass");
    }
    // The third part of round two: EC2 extras, Auto Scaling, API Gateway, AWS Backup,
    // ElastiCache, SSM documents and Session Manager, RDS and KMS extras.
    let good_and_bad: [(&str, &str, &[&str]); 13] = [
        (id("good-instance"), id("bad-instance"), &["ec2_instance_profile_attached"]),
        (id("good-image"), id("bad-image"), &["ec2_ami_public"]),
        ("good-template", "bad-template", &["ec2_launch_template_imdsv2_required", "ec2_launch_template_no_public_ip"]),
        (
            "good-lc",
            "bad-lc",
            &["autoscaling_group_launch_configuration_no_public_ip", "autoscaling_group_launch_configuration_requires_imdsv2"],
        ),
        ("good-asg", "bad-asg", &["autoscaling_group_multiple_az", "autoscaling_group_elb_health_check_enabled"]),
        (
            "good-api",
            "bad-api",
            &[
                "apigateway_restapi_logging_enabled",
                "apigateway_restapi_waf_acl_attached",
                "apigateway_restapi_tracing_enabled",
                "apigateway_restapi_authorizers_enabled",
            ],
        ),
        ("good-http-api", "bad-http-api", &["apigatewayv2_api_authorizers_enabled", "apigatewayv2_api_access_logging_enabled"]),
        (
            "good-log-group",
            "bad-log-group",
            &["cloudwatch_log_group_retention_policy_specific_days_enabled", "cloudwatch_log_group_kms_encryption_enabled"],
        ),
        ("good-alb", "bad-alb", &["elbv2_waf_acl_attached"]),
        ("good-vault", "bad-vault", &["backup_vaults_locked"]),
        (
            "good-cache",
            "bad-cache",
            &[
                "elasticache_redis_cluster_rest_encryption_enabled",
                "elasticache_redis_cluster_in_transit_encryption_enabled",
                "elasticache_redis_cluster_auth_enabled",
                "elasticache_redis_cluster_automatic_failover_enabled",
                "elasticache_redis_cluster_multi_az_enabled",
                "elasticache_redis_cluster_backup_enabled",
            ],
        ),
        ("good-doc", "bad-doc", &["ssm_documents_set_as_public"]),
        ("good-task", "bad-task", &["ecs_task_definitions_logging_enabled"]),
    ];
    for (good, bad, checks) in good_and_bad {
        for check in checks {
            expect(check, good, "pass");
            expect(check, bad, "fail");
        }
    }
    // moto keeps no client certificate on a stage: only the stage without one is asked about.
    expect("apigateway_restapi_client_certificate_enabled", "bad-api", "fail");
    expect("ecr_repositories_encrypted_with_kms", "bad-repo", "fail");
    expect("ec2_ebs_snapshots_encrypted", id("good-snapshot"), "pass");
    expect("ec2_ebs_snapshots_encrypted", id("bad-snapshot"), "fail");
    // On in the home region only: backup plans, Session Manager logging, Inspector. (Macie's
    // session cannot be read from moto, see above: its check is decided by the fixtures
    // and the demo.)
    for check in ["backup_plans_exist", "ssm_session_manager_logging_enabled", "inspector2_is_enabled"] {
        expect(check, "us-east-1", "pass");
        expect(check, "eu-west-1", "fail");
    }
    expect("account_security_contact_information_is_registered", "123456789012", "pass");
    // moto's own account is the management account of the seeded organization, whose
    // region-restricting SCP is attached to the root (a second one, attached nowhere, is
    // not what passes it).
    let organization = all.keys().find(|(check, _, _)| check == "organizations_account_part_of_organizations").map(|k| k.1.clone());
    let organization = organization.expect("the account's organization was collected and judged");
    assert!(organization.starts_with("o-"), "{organization}");
    expect("organizations_account_part_of_organizations", &organization, "pass");
    expect("organizations_scp_check_deny_regions", &organization, "pass");
    expect("kms_cmk_not_deleted_unintentionally", id("good-key"), "pass");
    expect("kms_cmk_not_deleted_unintentionally", id("bad-deleted-key"), "fail");
    // The one RDS instance (see above) has none of IAM authentication, Multi-AZ, enhanced
    // monitoring, exported logs or tags copied to snapshots.
    for check in [
        "rds_instance_multi_az",
        "rds_instance_iam_authentication_enabled",
        "rds_instance_enhanced_monitoring_enabled",
        "rds_instance_integration_cloudwatch_logs",
        "rds_instance_copy_tags_to_snapshots",
    ] {
        expect(check, "mixed-db", "fail");
    }
    expect("rds_snapshots_encrypted", "good-db-snapshot", "pass");
    expect("elb_cross_zone_load_balancing_enabled", "bad-clb", "fail");
    expect("elb_connection_draining_enabled", "bad-clb", "fail");
    // SSM's list of managed instances could not be read (moto does not serve it): an
    // instance is then an error, never a failure.
    expect("ec2_instance_managed_by_ssm", id("good-instance"), "error");
    // Lambda: moto keeps neither a function's dead-letter queue nor its KMS key, so those
    // two checks are decided by the fixtures and the demo, not here.
    for check in
        ["awslambda_function_not_publicly_accessible", "awslambda_function_using_supported_runtimes", "awslambda_function_inside_vpc"]
    {
        expect(check, "good-function", "pass");
        expect(check, "bad-function", "fail");
    }

    // The same account collected to a snapshot scans the same: plugins cannot tell a
    // live scan from a snapshot.
    let out = dir.path().join("snapshot");
    let collected =
        securebase(&["collect", "--accounts", &accounts, "--out", out.to_str().unwrap(), "--endpoint-url", moto.url()], dir.path());
    let stderr = String::from_utf8_lossy(&collected.stderr);
    assert!(collected.status.success(), "{stderr}");
    assert!(stderr.contains("Wrote 1 of 1 account(s)") && stderr.contains("(6 error(s))"), "{stderr}");
    let snapshot = std::fs::read_to_string(out.join("123456789012.json")).unwrap();
    // Neither the external id nor a secret's value or a Lambda environment variable's
    // (both seeded as do-not-log-me-either) is ever written; the variables' names are.
    assert!(!snapshot.contains("do-not-log-me") && !stderr.contains("do-not-log-me"), "a secret was written");
    let doc: Value = serde_json::from_str(&snapshot).unwrap();
    let bucket = |name: &str| doc["configurationItems"].as_array().unwrap().iter().find(|i| i["resourceId"] == name).unwrap().clone();
    assert_eq!(bucket("bad-bucket")["awsRegion"], "eu-west-1");
    assert_eq!(bucket("bad-bucket")["tags"]["team"], "web");
    assert_eq!(bucket("good-bucket")["arn"], "arn:aws:s3:::good-bucket");
    let function = |name: &str| {
        doc["configurationItems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["resourceType"] == "AWS::Lambda::Function" && i["resourceId"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        function("good-function")["configuration"]["environment"]["variables"],
        serde_json::json!({"DB_PASSWORD": "<redacted>", "STAGE": "<redacted>"})
    );
    let scan = securebase(&["scan", "--inventory", out.to_str().unwrap(), "--format", "json"], dir.path());
    assert!(scan.status.success(), "{}", String::from_utf8_lossy(&scan.stderr));
    let from_snapshot = findings(&serde_json::from_slice(&scan.stdout).unwrap());
    let statuses = |f: &BTreeMap<(String, String, String), (String, String)>| {
        f.iter().map(|(k, (s, _))| (k.clone(), s.clone())).collect::<BTreeMap<_, _>>()
    };
    assert_eq!(statuses(&from_snapshot), statuses(&all));
}

/// Collects the seeded account through a proxy that throttles some calls, and counts
/// its items by type.
fn collect_counts(url: &str, dir: &Path, extra: &[&str]) -> (BTreeMap<String, usize>, String) {
    let accounts = accounts_file(dir);
    let out = dir.join(format!("snapshot-{}", free_port()));
    let mut args = vec!["collect", "--accounts", &accounts, "--out", out.to_str().unwrap(), "--endpoint-url", url];
    args.extend_from_slice(extra);
    let r = securebase(&args, dir);
    let stderr = String::from_utf8_lossy(&r.stderr).to_string();
    assert!(r.status.success(), "{stderr}");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(out.join("123456789012.json")).unwrap()).unwrap();
    let mut counts = BTreeMap::new();
    for item in doc["configurationItems"].as_array().unwrap() {
        *counts.entry(item["resourceType"].as_str().unwrap().to_string()).or_default() += 1;
    }
    (counts, stderr)
}

#[test]
fn a_throttled_service_is_an_error_entry_and_nothing_else_is_lost() {
    let moto = Moto::start();
    moto.seed();
    let dir = tempfile::tempdir().unwrap();
    let (truth, _) = collect_counts(moto.url(), dir.path(), &[]);
    assert!(truth["AWS::KMS::Key"] >= 2 && truth["AWS::EC2::Volume"] == 4, "{truth:?}");

    // KMS always throttled; EC2's DescribeVolumes throttled twice, then served.
    let port = free_port();
    let counts_file = dir.path().join("throttled.txt");
    let proxy = Server::spawn(
        "the throttling proxy",
        port,
        &[
            script("proxy.py").to_str().unwrap(),
            &port.to_string(),
            moto.url(),
            counts_file.to_str().unwrap(),
            "ListKeys=always",
            "DescribeVolumes=2",
        ],
        &[],
    );
    let (counts, stderr) = collect_counts(&proxy.url, dir.path(), &["--max-attempts", "3"]);
    let throttled = std::fs::read_to_string(&counts_file).unwrap();
    // Retried with backoff: the two throttled DescribeVolumes calls were retried until
    // served; ListKeys gave up after three attempts in each of the two regions.
    assert_eq!(throttled.lines().filter(|l| *l == "DescribeVolumes").count(), 2, "{throttled}");
    assert_eq!(throttled.lines().filter(|l| *l == "ListKeys").count(), 6, "{throttled}");
    let kms: Vec<&str> = stderr.lines().filter(|l| l.contains(" kms [")).collect();
    assert_eq!(kms.len(), 2, "{stderr}");
    assert!(kms.iter().all(|l| l.contains("ListKeys: ThrottlingException: Rate exceeded")), "{stderr}");
    let mut expected = truth.clone();
    expected.remove("AWS::KMS::Key");
    assert_eq!(counts, expected, "everything but KMS keys is collected, volumes included");
}

#[test]
fn an_unreachable_endpoint_is_an_error_entry_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.toml");
    std::fs::write(&accounts, "[[account]]\nid = \"123456789012\"\nregions = [\"us-east-1\"]\n").unwrap();
    // A port nothing listens on.
    let port = free_port();
    let out = dir.path().join("snapshot");
    let r = securebase(
        &[
            "collect",
            "--accounts",
            accounts.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
            "--max-attempts",
            "1",
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{stderr}");
    // One clear entry for the account, not one per call.
    assert!(
        stderr.contains("warning: account 123456789012 sts [global]: cannot get credentials: could not reach the endpoint"),
        "{stderr}"
    );
    assert!(stderr.contains("Wrote 0 of 1 account(s)") && stderr.contains("(1 error(s))"), "{stderr}");
    // A bad accounts file names the file and the field, and exits 2.
    std::fs::write(&accounts, "[[account]]\nid = \"12\"\nregions = [\"us-east-1\"]\n").unwrap();
    let r = securebase(&["collect", "--accounts", accounts.to_str().unwrap(), "--out", out.to_str().unwrap()], dir.path());
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("accounts.toml: account[0].id: expected 12 digits"));
}

#[test]
fn the_read_only_policy_grants_exactly_what_the_collectors_call() {
    let moto = Moto::start();
    moto.seed();
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts_file(dir.path());
    let mut called = BTreeSet::new();
    for source in ["direct", "config"] {
        let (out, log) = (dir.path().join(source), dir.path().join(format!("{source}.actions")));
        let r = securebase(
            &[
                "collect",
                "--accounts",
                &accounts,
                "--out",
                out.to_str().unwrap(),
                "--endpoint-url",
                moto.url(),
                "--source",
                source,
                "--record-actions",
                log.to_str().unwrap(),
            ],
            dir.path(),
        );
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        called.extend(std::fs::read_to_string(&log).unwrap().lines().map(str::to_string));
    }
    // Every service collected shows up (the collectors really ran), and AWS Config's
    // own calls only with `--source config`.
    for prefix in [
        "ec2:",
        "iam:",
        "s3:",
        "cloudtrail:",
        "kms:",
        "rds:",
        "elasticfilesystem:",
        "guardduty:",
        "securityhub:",
        "dynamodb:",
        "sqs:",
        "sns:",
        "secretsmanager:",
        "lambda:",
        "ecr:",
        "elasticloadbalancing:",
        "acm:",
        "redshift:",
        "es:",
        "eks:",
        "ecs:",
        "cloudfront:",
        "organizations:",
    ] {
        assert!(called.iter().any(|a| a.starts_with(prefix)), "no {prefix} call recorded: {called:?}");
    }
    assert!(called.contains("config:BatchGetResourceConfig"), "{called:?}");
    // GetCallerIdentity needs no permission: AWS answers it for any credentials.
    assert!(called.remove("sts:GetCallerIdentity"));

    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/iam/securebase-readonly-policy.json");
    let policy: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut granted = BTreeSet::new();
    for statement in policy["Statement"].as_array().unwrap() {
        assert_eq!(statement["Effect"], "Allow");
        assert!(statement.get("NotAction").is_none(), "least privilege: no NotAction");
        for action in statement["Action"].as_array().unwrap() {
            let action = action.as_str().unwrap();
            assert!(!action.contains('*'), "least privilege: {action} is a wildcard");
            granted.insert(action.to_string());
        }
    }
    let missing: Vec<_> = called.difference(&granted).collect();
    assert!(missing.is_empty(), "collectors call actions {} does not grant: {missing:?}", path.display());
    let unused: Vec<_> = granted.difference(&called).collect();
    assert!(unused.is_empty(), "{} grants actions no collector calls: {unused:?}", path.display());

    // What was called is what the collector table declares (each collector's actions, and
    // the few calls outside the collectors); a unit test of `securebase-collect` holds the
    // policy file to the same list. The log is one set for the whole collection, not one
    // per collector, so the calls meet the table's union; each collector declares its calls
    // under one service prefix (unit-tested there), so a call found there is its service's.
    for c in securebase_collect::COLLECTORS {
        assert!(
            c.actions.iter().any(|a| called.contains(*a)),
            "the {} collector ({:?}) made none of its calls: {called:?}",
            c.service,
            c.reach
        );
    }
    let declared: BTreeSet<String> = securebase_collect::read_only_actions().into_iter().map(str::to_string).collect();
    let undeclared: Vec<_> = called.difference(&declared).collect();
    assert!(undeclared.is_empty(), "calls no entry of securebase_collect::COLLECTORS declares: {undeclared:?}");
    let uncalled: Vec<_> = declared.difference(&called).collect();
    assert!(uncalled.is_empty(), "declared by securebase_collect::COLLECTORS but never called: {uncalled:?}");
}

/// Sets the seeded account's recorder to record exactly `types` in its home region.
fn record_only(url: &str, types: &[&str]) {
    let script = format!(
        "import boto3, sys\nc = boto3.client('config', endpoint_url=sys.argv[1], region_name='us-east-1', \
         aws_access_key_id='test', aws_secret_access_key='test')\n\
         c.put_configuration_recorder(ConfigurationRecorder={{'name': 'default', 'roleARN': \
         'arn:aws:iam::123456789012:role/config', 'recordingGroup': {{'allSupported': False, \
         'includeGlobalResourceTypes': False, 'resourceTypes': {types:?}}}}})\n"
    );
    assert!(Command::new("python3").args(["-c", &script, url]).status().unwrap().success());
}

/// (check, region, status, message) of every finding: resource ids left out, since AWS
/// Config names IAM policies by policy id where moto's IAM API gives none.
fn outcomes(report: &Value) -> BTreeSet<(String, String, String, String)> {
    findings(report).into_iter().map(|((check, _, region), (status, message))| (check, region, status, message)).collect()
}

#[test]
fn aws_config_as_the_source_scans_like_direct_calls() {
    let moto = Moto::start();
    moto.seed();
    // What moto's AWS Config serves; the rest (and eu-west-1, which records nothing) is
    // collected directly. The proxy mends moto's Config timestamps (see proxy.py).
    record_only(moto.url(), &["AWS::S3::Bucket", "AWS::IAM::Policy", "AWS::IAM::Role"]);
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let counts = dir.path().join("throttled.txt");
    let proxy = Server::spawn(
        "the proxy",
        port,
        &[script("proxy.py").to_str().unwrap(), &port.to_string(), moto.url(), counts.to_str().unwrap()],
        &[],
    );
    let accounts = accounts_file(dir.path());
    let scan = |source: &str| {
        let r = securebase(
            &["scan", "--accounts", &accounts, "--endpoint-url", &proxy.url, "--source", source, "--format", "json"],
            dir.path(),
        );
        let stderr = String::from_utf8_lossy(&r.stderr).to_string();
        assert!(r.status.success(), "{stderr}");
        assert!(stderr.contains("(6 collection error(s))"), "only Access Analyzer's, Macie's and SSM's instance list: {stderr}");
        serde_json::from_slice::<Value>(&r.stdout).unwrap()
    };
    let (direct, config) = (scan("direct"), scan("config"));

    // Config really was the source: its items carry its own ids and encodings.
    let out = dir.path().join("snapshot");
    let r = securebase(
        &["collect", "--accounts", &accounts, "--out", out.to_str().unwrap(), "--endpoint-url", &proxy.url, "--source", "config"],
        dir.path(),
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(out.join("123456789012.json")).unwrap()).unwrap();
    let items = doc["configurationItems"].as_array().unwrap();
    let good = items.iter().find(|i| i["resourceId"] == "good-bucket").unwrap();
    assert!(good["supplementaryConfiguration"]["AccessControlList"].is_string(), "Config's string-encoded ACL: {good}");
    let policy = items.iter().find(|i| i["resourceName"] == "bad-admin").unwrap();
    assert!(!policy["resourceId"].as_str().unwrap().starts_with("arn:"), "Config's policy id: {policy}");
    // The account-level Block Public Access is read directly whatever the source.
    assert!(items.iter().any(|i| i["resourceType"] == "AWS::S3::AccountPublicAccessBlock"));

    // And the findings are the same, source for source, except where moto's Config
    // records less than AWS's: its S3 items have no BucketVersioningConfiguration or
    // ServerSideEncryptionConfiguration (AWS Config's do), so those two checks are left out.
    let moto_gaps = ["s3_bucket_default_encryption", "s3_bucket_object_versioning"];
    let comparable = |r: &Value| {
        let mut all = outcomes(r);
        all.retain(|(check, ..)| !moto_gaps.contains(&check.as_str()));
        all
    };
    let (d, c) = (comparable(&direct), comparable(&config));
    assert!(d.len() > 100, "{}", d.len());
    let only_direct: Vec<_> = d.difference(&c).collect();
    let only_config: Vec<_> = c.difference(&d).collect();
    assert!(only_direct.is_empty() && only_config.is_empty(), "direct only: {only_direct:#?}\nconfig only: {only_config:#?}");
}

#[test]
fn an_organization_s_accounts_are_discovered_and_collected_through_their_role() {
    let moto = Moto::start();
    // An organization of moto's own account (the management account) and two members, each
    // seeded with seed.py's mix through its own role: what `securebase-bench collect` measures.
    let made = Command::new("python3").arg(script("organization.py")).args([moto.url(), "3"]).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let ids: Vec<String> = serde_json::from_slice(&made.stdout).unwrap();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert_eq!(ids[0], "123456789012");
    let (prod, sandbox) = (&ids[1], &ids[2]);

    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.toml");
    std::fs::write(
        &accounts,
        format!(
            "[organization]\nrole_name = \"SecureBaseReadOnly\"\nexternal_id = \"org-secret\"\nexclude = [\"{sandbox}\"]\n\
             regions = [\"us-east-1\"]\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("snapshot");
    let r = securebase(
        &["collect", "--accounts", accounts.to_str().unwrap(), "--out", out.to_str().unwrap(), "--endpoint-url", moto.url()],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{stderr}");
    assert!(stderr.contains("Wrote 2 of 2 account(s)"), "{stderr}");
    let mut written: Vec<String> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    written.sort();
    let mut expected = vec!["123456789012.json".to_string(), format!("{prod}.json")];
    expected.sort();
    assert_eq!(written, expected, "the excluded account is not collected");
    // The member account was read through its own role: its items are its own.
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(out.join(format!("{prod}.json"))).unwrap()).unwrap();
    assert_eq!(doc["accountName"], "member-1");
    let items = doc["configurationItems"].as_array().unwrap();
    assert!(items.iter().any(|i| i["resourceType"] == "AWS::EC2::VPC"), "moto's default VPC of the member account");
    assert!(items.iter().all(|i| i["accountId"] == prod.as_str()));
    // ...and it holds the same seeded mix as the management account, under its own bucket names.
    let seeded = |account: &str| -> BTreeSet<(String, String)> {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(out.join(format!("{account}.json"))).unwrap()).unwrap();
        let items = doc["configurationItems"].as_array().unwrap().clone();
        items
            .iter()
            .filter_map(|i| {
                let name = i["resourceName"].as_str()?;
                (name.starts_with("good-") || name.starts_with("bad-"))
                    .then(|| (i["resourceType"].as_str().unwrap().to_string(), name.trim_end_matches(&format!("-{account}")).to_string()))
            })
            .collect()
    };
    // The management account records the organization's tree: every account with the OUs
    // above it, which is how a check tells the accounts an OU's SCP covers.
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(out.join("123456789012.json")).unwrap()).unwrap();
    let org = doc["configurationItems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["resourceType"] == "SecureBase::Organizations::Organization")
        .expect("the management account's organization item");
    let tree = org["supplementaryConfiguration"]["Accounts"].as_array().expect("the organization's accounts");
    assert_eq!(tree.len(), 3, "{tree:#?}");
    let parents = |account: &str| -> Vec<String> {
        let entry = tree.iter().find(|a| a["id"] == account).unwrap_or_else(|| panic!("{account} in {tree:#?}"));
        entry["parents"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect()
    };
    let root = parents("123456789012");
    assert!(root.len() == 1 && root[0].starts_with("r-"), "the management account sits under the root: {root:?}");
    for member in [prod, sandbox] {
        let above = parents(member);
        assert_eq!(above.len(), 2, "{member}: {above:?}");
        assert!(above[0].starts_with("ou-") && above[1] == root[0], "{member} sits in the Workloads OU under the root: {above:?}");
    }
    let (management, member) = (seeded("123456789012"), seeded(prod));
    assert!(management.len() > 50, "{management:#?}");
    assert!(member.contains(&("AWS::S3::Bucket".to_string(), "good-bucket".to_string())), "{member:#?}");
    assert_eq!(member, management, "every account of the organization is seeded alike");
    assert!(!stderr.contains("org-secret"));

    // Credentials of another account (no role, moto's default identity) are one clear
    // error for the account, and nothing of the wrong account is written.
    std::fs::write(&accounts, "[[account]]\nid = \"111111111111\"\nregions = [\"us-east-1\"]\n").unwrap();
    let out = dir.path().join("wrong");
    let r = securebase(
        &["collect", "--accounts", accounts.to_str().unwrap(), "--out", out.to_str().unwrap(), "--endpoint-url", moto.url()],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(stderr.contains("sts [global]: the credentials are for account 123456789012, not 111111111111"), "{stderr}");
    assert!(stderr.contains("Wrote 0 of 1 account(s)") && !out.join("111111111111.json").exists(), "{stderr}");
}

#[test]
fn the_collection_benchmark_seeds_an_organization_and_collects_every_account() {
    // `securebase-bench collect` starts its own moto, seeds the organization and collects it;
    // its figures are printed, not judged, but they must describe what happened.
    let out = Command::new(securebase_e2e::bench_binary())
        .args(["collect", "--accounts", "2", "--regions", "us-east-1"])
        .env_remove("AWS_PROFILE")
        .output()
        .expect("securebase-bench runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("seeded: 2 accounts"), "{stdout}");
    assert!(stdout.contains("accounts: 2 discovered through Organizations"), "{stdout}");
    assert!(stdout.contains(", 2 collected; 1 region(s) each, 8 at a time"), "{stdout}");
    let figure = |label: &str| -> f64 {
        let line = stdout.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("no {label} in {stdout}"));
        line[label.len()..].split_whitespace().next().unwrap().parse().unwrap()
    };
    // Every collector's calls, in both accounts (about a hundred each), and the seeded items.
    assert!(figure("API calls:") > 150.0, "{stdout}");
    assert!(figure("items:") > 200.0, "{stdout}");
    // The moto gaps tests/serve.rs names, once per account, and nothing else.
    assert!(stdout.contains("error entries: 6 (access-analyzer 2, macie2 2, ssm 2)"), "{stdout}");
    assert!(stdout.contains("peak memory:") && stdout.contains("mock CPU:"), "{stdout}");

    let bad = Command::new(securebase_e2e::bench_binary()).args(["collect", "--regions", "mars-1"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--regions: \"mars-1\" is not an AWS region name"));
}
