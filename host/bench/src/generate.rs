//! The synthetic organization generator. Accounts are produced one at a time from the
//! seed and the account index alone, so an organization of any size streams through a
//! scan without ever being held in memory, and the same seed always gives the same data.
//!
//! The first round's resource types are written out here with their compliant and
//! non-compliant settings; the later services' items are copies of the bundled demo
//! organization's (which holds a passing and a failing example of every check), under
//! fresh ids in the generated account, so the whole catalogue has work to do.

use securebase_inventory::{AccountInventory, ConfigItem};
use serde_json::{Value, json};

/// SplitMix64: tiny, fast, and good enough to pick configurations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// How likely a generated setting is compliant.
const COMPLIANT: f64 = 0.7;
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
const CAPTURED: &str = "2026-11-01T06:00:00Z";

/// Resource types copied from the demo organization, several per account (the catalogue's
/// second round, and the items its checks read beside the judged one).
const TEMPLATE_TYPES: &[&str] = &[
    "AWS::ACM::Certificate",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::AutoScaling::LaunchConfiguration",
    "AWS::Backup::BackupVault",
    "AWS::CloudFront::Distribution",
    "AWS::DynamoDB::Table",
    "AWS::EC2::LaunchTemplate",
    "AWS::ECR::Repository",
    "AWS::ECS::TaskDefinition",
    "AWS::EKS::Cluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::Lambda::Function",
    "AWS::Logs::LogGroup",
    "AWS::OpenSearch::Domain",
    "AWS::Redshift::Cluster",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
    "SecureBase::EC2::Image",
    "SecureBase::SSM::Document",
    "SecureBase::SSM::ManagedInstance",
];

/// Account-level types copied from the demo organization, one of each per account.
const ACCOUNT_TEMPLATE_TYPES: &[&str] = &[
    "AWS::Backup::BackupPlan",
    "SecureBase::Account::SecurityContact",
    "SecureBase::Inspector2::Account",
    "SecureBase::Macie::Session",
    "SecureBase::Organizations::Organization",
    "SecureBase::SSM::ManagedInstanceList",
    "SecureBase::SSM::SessionManagerPreferences",
];

/// The demo organization's items of `types`, in a fixed order.
fn templates(types: &[&str]) -> Vec<ConfigItem> {
    let mut out: Vec<ConfigItem> = securebase_inventory::demo()
        .accounts
        .iter()
        .flat_map(|a| a.iter().cloned())
        .filter(|i| types.contains(&i.resource_type.as_str()))
        .collect();
    out.sort_by(|a, b| (&a.resource_type, &a.account_id, &a.resource_id).cmp(&(&b.resource_type, &b.account_id, &b.resource_id)));
    out
}

static RESOURCE_TEMPLATES: std::sync::LazyLock<Vec<ConfigItem>> = std::sync::LazyLock::new(|| templates(TEMPLATE_TYPES));
static ACCOUNT_TEMPLATES: std::sync::LazyLock<Vec<ConfigItem>> = std::sync::LazyLock::new(|| templates(ACCOUNT_TEMPLATE_TYPES));

/// A demo item moved into `account` under id suffix `n`: its own id, name and ARN get the
/// suffix (so copies never collide), and the demo's account ids become the generated one.
fn copy_of(template: &ConfigItem, account: &str, n: Option<u64>) -> ConfigItem {
    let suffix = n.map(|n| format!("-{n:07}")).unwrap_or_default();
    let demo_account = template.account_id.as_str();
    let moved = |s: &str| s.replace(demo_account, account);
    ConfigItem {
        resource_type: template.resource_type.clone(),
        resource_id: format!("{}{suffix}", moved(&template.resource_id)),
        resource_name: template.resource_name.as_ref().map(|r| format!("{}{suffix}", moved(r))),
        account_id: account.to_string(),
        aws_region: template.aws_region.clone(),
        arn: template.arn.as_ref().map(|a| format!("{}{suffix}", moved(a))),
        configuration: moved(&template.configuration),
        supplementary_configuration: moved(&template.supplementary_configuration),
        tags: template.tags.clone(),
    }
}

/// The 12-digit id of account number `index`.
pub fn account_id(index: u64) -> String {
    format!("{:012}", 100_000_000_000 + index)
}

/// A synthetic organization: `accounts` accounts of about `resources_per_account` items.
#[derive(Debug, Clone, Copy)]
pub struct Generator {
    /// Number of accounts.
    pub accounts: u64,
    /// Configuration items per account (approximately; account-level items included).
    pub resources_per_account: u64,
    /// The seed: same seed, same organization.
    pub seed: u64,
}

struct Items {
    account: String,
    out: Vec<ConfigItem>,
}

impl Items {
    fn push(&mut self, resource_type: &str, id: String, region: &str, configuration: Value, supplementary: Value) {
        self.out.push(ConfigItem {
            resource_type: resource_type.into(),
            resource_name: Some(id.clone()),
            resource_id: id,
            account_id: self.account.clone(),
            aws_region: region.into(),
            arn: None,
            configuration: configuration.to_string(),
            supplementary_configuration: supplementary.to_string(),
            tags: vec![],
        });
    }
}

fn policy_text(public: bool, tls: bool, bucket: &str) -> String {
    let mut statements = Vec::new();
    if tls {
        statements.push(json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [format!("arn:aws:s3:::{bucket}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}));
    }
    if public {
        statements
            .push(json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*")}));
    }
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

impl Generator {
    /// Every account, generated lazily in order.
    pub fn accounts(self) -> impl Iterator<Item = AccountInventory> + Send {
        (0..self.accounts).map(move |i| self.account(i))
    }

    /// Account number `index`.
    pub fn account(&self, index: u64) -> AccountInventory {
        let mut rng = Rng(self.seed ^ index.wrapping_mul(0xA24B_AED4_963E_E407));
        let id = account_id(index);
        let mut it = Items { account: id.clone(), out: Vec::with_capacity(self.resources_per_account as usize + 32) };
        self.account_level(&mut rng, &mut it);
        let mut n = 0u64;
        while (it.out.len() as u64) < self.resources_per_account {
            self.resource(&mut rng, &mut it, n);
            n += 1;
        }
        AccountInventory::new("synthetic", id, Some(format!("synthetic-{index}")), CAPTURED, it.out).expect("generated items are valid")
    }

    fn account_level(&self, rng: &mut Rng, it: &mut Items) {
        let a = it.account.clone();
        it.push("SecureBase::Account::Account", a.clone(), "global", json!({"accountId": a}), json!({}));
        let c = |rng: &mut Rng| rng.chance(COMPLIANT);
        it.push(
            "SecureBase::IAM::PasswordPolicy",
            a.clone(),
            "global",
            json!({
            "minimumPasswordLength": if c(rng) { 14 } else { 8 }, "passwordReusePrevention": if c(rng) { 24 } else { 5 },
            "requireSymbols": c(rng), "requireNumbers": c(rng), "requireUppercaseCharacters": c(rng), "requireLowercaseCharacters": c(rng),
            "expirePasswords": true, "maxPasswordAge": if c(rng) { 90 } else { 365 }}),
            json!({}),
        );
        it.push(
            "SecureBase::IAM::AccountSummary",
            a.clone(),
            "global",
            json!({"AccountMFAEnabled": u8::from(c(rng)), "AccountAccessKeysPresent": u8::from(!c(rng))}),
            json!({}),
        );
        let flags = |rng: &mut Rng| json!({"blockPublicAcls": true, "ignorePublicAcls": true, "blockPublicPolicy": rng.chance(COMPLIANT), "restrictPublicBuckets": rng.chance(COMPLIANT)});
        it.push("AWS::S3::AccountPublicAccessBlock", a.clone(), "us-east-1", flags(rng), json!({}));
        let trail_group = format!("CloudTrail/{a}");
        it.push("AWS::CloudTrail::Trail", format!("arn:aws:cloudtrail:us-east-1:{a}:trail/org"), "us-east-1", json!({
            "TrailName": "org", "S3BucketName": format!("{a}-trail"), "IsLogging": c(rng), "IsMultiRegionTrail": true, "EnableLogFileValidation": c(rng),
            "KMSKeyId": if c(rng) { json!("arn:aws:kms:us-east-1:1:key/k") } else { Value::Null },
            "CloudWatchLogsLogGroupArn": format!("arn:aws:logs:us-east-1:{a}:log-group:{trail_group}:*"),
            "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}), json!({}));
        for (i, region) in REGIONS.iter().enumerate() {
            it.push("SecureBase::Account::Region", region.to_string(), region, json!({"regionName": region}), json!({}));
            it.push(
                "SecureBase::EC2::EbsEncryptionByDefault",
                format!("{a}:{region}"),
                region,
                json!({"ebsEncryptionByDefault": c(rng)}),
                json!({}),
            );
            it.push(
                "SecureBase::Config::Recorder",
                format!("{region}/default"),
                region,
                json!({"name": "default", "recording": c(rng), "allSupported": true, "lastStatus": "SUCCESS"}),
                json!({}),
            );
            if c(rng) {
                it.push("AWS::GuardDuty::Detector", format!("d-{i}"), region, json!({"Enable": true}), json!({}));
            }
            if c(rng) {
                it.push("AWS::SecurityHub::Hub", format!("hub-{i}"), region, json!({"ARN": format!("hub-{i}")}), json!({}));
            }
            if c(rng) {
                it.push("AWS::AccessAnalyzer::Analyzer", format!("analyzer-{i}"), region, json!({"AnalyzerName": "a"}), json!({}));
            }
        }
        for t in ACCOUNT_TEMPLATE_TYPES {
            let of_type: Vec<&ConfigItem> = ACCOUNT_TEMPLATES.iter().filter(|i| i.resource_type == *t).collect();
            if !of_type.is_empty() {
                it.out.push(copy_of(of_type[rng.below(of_type.len() as u64) as usize], &a, None));
            }
        }
        for (k, metric) in ["UnauthorizedAPICalls", "RootUsage"].iter().enumerate() {
            let pattern = if k == 0 {
                r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#
            } else {
                r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#
            };
            it.push(
                "SecureBase::Logs::MetricFilter",
                format!("{trail_group}/{metric}"),
                "us-east-1",
                json!({"logGroupName": trail_group, "filterName": metric,
                "filterPattern": pattern, "metricTransformations": [{"metricName": metric, "metricNamespace": "CIS"}]}),
                json!({}),
            );
            it.push(
                "AWS::CloudWatch::Alarm",
                format!("alarm-{metric}"),
                "us-east-1",
                json!({"alarmName": metric, "metricName": metric, "namespace": "CIS",
                "actionsEnabled": true, "alarmActions": if c(rng) { json!(["arn:aws:sns:us-east-1:1:alerts"]) } else { json!([]) }}),
                json!({}),
            );
        }
    }

    /// One resource, cycling through the resource types the checks read: the first round's
    /// 18 slots written out, then 6 of copies of the demo's later services.
    fn resource(&self, rng: &mut Rng, it: &mut Items, n: u64) {
        let region = REGIONS[rng.below(2) as usize];
        let c = |rng: &mut Rng| rng.chance(COMPLIANT);
        let id = |prefix: &str| format!("{prefix}-{n:07}");
        match n % 24 {
            0 | 1 => {
                let name = format!("{}-bucket-{n:07}", it.account);
                let pab = c(rng);
                let supp = json!({
                    "ServerSideEncryptionConfiguration": if c(rng) { json!({"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]}) } else { Value::Null },
                    "BucketVersioningConfiguration": {"status": if c(rng) { "Enabled" } else { "Suspended" }, "isMfaDeleteEnabled": rng.chance(0.2)},
                    "PublicAccessBlockConfiguration": {"blockPublicAcls": pab, "ignorePublicAcls": pab, "blockPublicPolicy": pab, "restrictPublicBuckets": pab},
                    "BucketPolicy": {"policyText": policy_text(!c(rng), c(rng), &name)},
                    "BucketLoggingConfiguration": {"destinationBucketName": if c(rng) { json!("logs") } else { Value::Null }},
                    "AccessControlList": {"grantList": [{"grantee": {"id": "owner"}, "permission": "FullControl"}]},
                });
                it.push("AWS::S3::Bucket", name.clone(), region, json!({"name": name, "creationDate": "2024-01-01T00:00:00Z"}), supp);
            }
            2 | 3 => {
                let open = !c(rng);
                let port = [22, 3389, 443, 8080][rng.below(4) as usize];
                let cidr = if open { "0.0.0.0/0" } else { "10.0.0.0/8" };
                let default = n % 64 == 2;
                it.push("AWS::EC2::SecurityGroup", id("sg"), region, json!({"groupId": id("sg"), "groupName": if default { "default" } else { "app" }, "vpcId": "vpc-1",
                    "ipPermissions": [{"ipProtocol": "tcp", "fromPort": port, "toPort": port, "ipv4Ranges": [{"cidrIp": cidr}], "ipv6Ranges": []}],
                    "ipPermissionsEgress": if default && c(rng) { json!([]) } else { json!([{"ipProtocol": "-1", "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}]}]) }}), json!({}));
            }
            4 => it.push("AWS::EC2::Instance", id("i"), region, json!({"instanceId": id("i"), "metadataOptions": {"httpTokens": if c(rng) { "required" } else { "optional" }, "httpEndpoint": "enabled"}}), json!({})),
            5 => it.push("AWS::EC2::Volume", id("vol"), region, json!({"volumeId": id("vol"), "encrypted": c(rng), "size": 100}), json!({})),
            6 => {
                it.push("AWS::EC2::VPC", id("vpc"), region, json!({"vpcId": id("vpc"), "cidrBlock": "10.0.0.0/16"}), json!({}));
                if c(rng) {
                    it.push("AWS::EC2::FlowLog", id("fl"), region, json!({"flowLogId": id("fl"), "resourceId": id("vpc"), "trafficType": "REJECT", "flowLogStatus": "ACTIVE"}), json!({}));
                }
            }
            7 => it.push("AWS::EC2::NetworkAcl", id("acl"), region, json!({"networkAclId": id("acl"), "entries": [
                {"ruleNumber": 100, "protocol": "6", "ruleAction": if c(rng) { "deny" } else { "allow" }, "egress": false, "cidrBlock": "0.0.0.0/0", "portRange": {"from": 22, "to": 22}},
                {"ruleNumber": 200, "protocol": "-1", "ruleAction": "allow", "egress": false, "cidrBlock": "10.0.0.0/8"}]}), json!({})),
            8 => {
                let user = id("user");
                let console = c(rng);
                it.push("SecureBase::IAM::CredentialReportEntry", user.clone(), "global", json!({"user": user, "user_creation_time": "2024-01-01T00:00:00+00:00",
                    "password_enabled": console.to_string(), "password_last_used": if c(rng) { "2026-10-30T00:00:00+00:00" } else { "2026-01-01T00:00:00+00:00" },
                    "mfa_active": c(rng).to_string(), "access_key_1_active": "true",
                    "access_key_1_last_rotated": if c(rng) { "2026-10-01T00:00:00+00:00" } else { "2025-06-01T00:00:00+00:00" },
                    "access_key_1_last_used_date": "2026-10-30T00:00:00+00:00", "access_key_2_active": "false"}), json!({}));
                it.push("AWS::IAM::User", id("AIDA"), "global", json!({"userName": user, "groupList": ["g"],
                    "attachedManagedPolicies": if c(rng) { json!([]) } else { json!([{"policyName": "ReadOnlyAccess"}]) }, "userPolicyList": []}), json!({}));
            }
            9 => {
                let doc = if c(rng) { json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}) } else { json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}) };
                it.push("AWS::IAM::Policy", id("ANPA"), "global", json!({"policyName": id("policy"), "attachmentCount": 1,
                    "policyVersionList": [{"document": doc.to_string(), "isDefaultVersion": true}]}), json!({}));
            }
            10 => it.push("AWS::IAM::Role", id("AROA"), "global", json!({"roleName": id("role"),
                "attachedManagedPolicies": if n % 160 == 10 { json!([{"policyArn": "arn:aws:iam::aws:policy/AWSSupportAccess"}]) } else { json!([]) },
                "rolePolicyList": []}), json!({})),
            11 => it.push("AWS::KMS::Key", id("key"), region, json!({"keyId": id("key"), "keyManager": "CUSTOMER", "keyState": "Enabled", "keySpec": "SYMMETRIC_DEFAULT", "origin": "AWS_KMS"}),
                json!({"KeyRotationStatus": c(rng), "KeyPolicy": json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "kms:*", "Resource": "*"}]}).to_string()})),
            12 => it.push("AWS::RDS::DBInstance", id("db"), region, json!({"dBInstanceIdentifier": id("db"), "storageEncrypted": c(rng), "publiclyAccessible": !c(rng),
                "backupRetentionPeriod": if c(rng) { 7 } else { 0 }, "deletionProtection": c(rng), "autoMinorVersionUpgrade": c(rng)}), json!({})),
            13 => it.push("AWS::RDS::DBSnapshot", id("rdssnap"), region, json!({"dBSnapshotIdentifier": id("rdssnap")}),
                json!({"DBSnapshotAttributes": [{"attributeName": "restore", "attributeValues": if c(rng) { json!([]) } else { json!(["all"]) }}]})),
            14 => it.push("SecureBase::EC2::EbsSnapshot", id("snap"), region, json!({"snapshotId": id("snap"),
                "createVolumePermissions": if c(rng) { json!([]) } else { json!([{"group": "all"}]) }}), json!({})),
            15 => {
                let doc = if c(rng) { json!({"Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}) } else { json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}) };
                it.push("AWS::IAM::Group", id("AGPA"), "global", json!({"groupName": id("group"), "groupPolicyList": [{"policyName": "inline", "policyDocument": doc.to_string()}]}), json!({}));
            }
            16 => it.push("SecureBase::IAM::ServerCertificate", id("cert"), "global", json!({"serverCertificateName": id("cert"),
                "expiration": if c(rng) { "2027-06-01T00:00:00Z" } else { "2026-03-01T00:00:00Z" }}), json!({})),
            17 => it.push("AWS::EFS::FileSystem", id("fs"), region, json!({"FileSystemId": id("fs"), "Encrypted": c(rng),
                "BackupPolicy": {"Status": if c(rng) { "ENABLED" } else { "DISABLED" }}}), json!({})),
            _ => {
                let templates = &*RESOURCE_TEMPLATES;
                let template = &templates[rng.below(templates.len() as u64) as usize];
                let account = it.account.clone();
                it.out.push(copy_of(template, &account, Some(n)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_sized_and_varied() {
        let g = Generator { accounts: 3, resources_per_account: 400, seed: 7 };
        let a: Vec<_> = g.accounts().collect();
        let b: Vec<_> = g.accounts().collect();
        assert_eq!(a, b, "same seed, same organization");
        let other: Vec<_> = Generator { seed: 8, ..g }.accounts().collect();
        assert_ne!(a, other, "another seed, another organization");
        assert_eq!(a[1].account_id(), "100000000001");
        for acct in &a {
            assert!((400..420).contains(&acct.len()), "{} items", acct.len());
        }
        // Every resource type a built-in check reports on is generated somewhere, and every
        // type copied from the demo is in it (a template type it lacks would copy nothing).
        for t in TEMPLATE_TYPES.iter().chain(ACCOUNT_TEMPLATE_TYPES) {
            let copies = RESOURCE_TEMPLATES.iter().chain(ACCOUNT_TEMPLATES.iter()).filter(|i| i.resource_type == *t).count();
            assert!(copies >= 1, "the demo organization has no {t} to copy");
        }
        let present: std::collections::BTreeSet<&str> = a.iter().flat_map(|acct| acct.resource_types()).collect();
        let missing: std::collections::BTreeSet<&str> = crate::native_plugins()
            .iter()
            .flat_map(|p| p.checks.iter().flat_map(|c| c.meta.resource_types.iter().copied()))
            .filter(|t| !present.contains(t))
            .collect();
        assert!(missing.is_empty(), "types checks read that the generator does not make: {missing:?}");
        // A copy lives in its generated account, under an id of its own.
        let copy = a[1].iter().find(|i| i.resource_type == "AWS::Lambda::Function").expect("a copied Lambda function");
        assert!(!copy.configuration.contains("111111111111") && !copy.configuration.contains("222222222222"), "{}", copy.configuration);
        assert!(copy.resource_id.ends_with(|c: char| c.is_ascii_digit()), "{}", copy.resource_id);
    }
}
