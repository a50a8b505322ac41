"""Seeds moto's server with one account's known mix of compliant and non-compliant
resources across the services SecureBase collects. Usage: seed.py ENDPOINT_URL [ACCOUNT].

Without ACCOUNT, moto's own account (123456789012) with its default credentials; with
one, a member account of an organization (tests/moto/organization.py), through its
OrganizationAccountAccessRole, the same resources with the account's id appended to the
names that are global (S3 buckets).

Every resource named good-* / bad-* (or tagged so) is right / wrong on the checks
tests/collect.rs asserts; moto's own defaults (default VPC, its security group and
network ACL) are left as moto makes them."""
import json
import sys

import boto3

URL = sys.argv[1]
HOME = "us-east-1"
MANAGEMENT = "123456789012"
ACCOUNT = sys.argv[2] if len(sys.argv) > 2 else MANAGEMENT
# S3 bucket names are global: each account's get its id appended (none for moto's own).
BUCKET = {n: n if ACCOUNT == MANAGEMENT else f"{n}-{ACCOUNT}" for n in ("good-bucket", "good-logs", "bad-bucket", "trail-logs")}
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
if ACCOUNT != MANAGEMENT:
    # moto tells accounts apart by the access key: an assumed role's keys act in the role's account.
    assumed = boto3.client("sts", endpoint_url=URL, region_name=HOME, **CREDENTIALS).assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole", RoleSessionName="seed")["Credentials"]
    CREDENTIALS = {"aws_access_key_id": assumed["AccessKeyId"], "aws_secret_access_key": assumed["SecretAccessKey"],
                   "aws_session_token": assumed["SessionToken"]}


def client(service, region=HOME):
    return boto3.client(service, endpoint_url=URL, region_name=region, **CREDENTIALS)


# S3: one bucket right on every S3 check, one wrong on all of them, a log bucket.
s3 = client("s3")
s3.create_bucket(Bucket=BUCKET["good-bucket"])
s3.put_bucket_versioning(Bucket=BUCKET["good-bucket"], VersioningConfiguration={"Status": "Enabled"})
s3.put_public_access_block(Bucket=BUCKET["good-bucket"], PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
s3.put_bucket_encryption(Bucket=BUCKET["good-bucket"], ServerSideEncryptionConfiguration={"Rules": [
    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": f"arn:aws:kms:{HOME}:{ACCOUNT}:key/k1"}}]})
s3.put_bucket_policy(Bucket=BUCKET["good-bucket"], Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{BUCKET['good-bucket']}", f"arn:aws:s3:::{BUCKET['good-bucket']}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
s3.create_bucket(Bucket=BUCKET["good-logs"])
s3.put_bucket_acl(Bucket=BUCKET["good-logs"], ACL="log-delivery-write")
s3.put_bucket_logging(Bucket=BUCKET["good-bucket"], BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": BUCKET["good-logs"], "TargetPrefix": "s3/"}})
s3.create_bucket(Bucket=BUCKET["bad-bucket"], CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
s3.put_bucket_acl(Bucket=BUCKET["bad-bucket"], ACL="public-read")
s3.put_bucket_tagging(Bucket=BUCKET["bad-bucket"], Tagging={"TagSet": [{"Key": "team", "Value": "web"}]})

# EC2: security groups, a VPC with a flow log, instances, volumes, snapshots.
ec2 = client("ec2")
vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "good-vpc"}])
logs = client("logs")
logs.create_log_group(logGroupName="good-flow-logs")
ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogGroupName="good-flow-logs",
                     DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/flow-logs")
bad_sg = ec2.create_security_group(GroupName="bad-ssh", Description="ssh from anywhere", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=bad_sg, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
good_sg = ec2.create_security_group(GroupName="good-internal", Description="https from the VPC", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=good_sg, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]}])
# A network ACL that only lets HTTPS in (moto's default ones allow everything).
acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
ec2.create_tags(Resources=[acl], Tags=[{"Key": "Name", "Value": "good-acl"}])
ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
                             CidrBlock="0.0.0.0/0", PortRange={"From": 443, "To": 443})
image = ec2.register_image(Name="seed-image", RootDeviceName="/dev/xvda", Architecture="x86_64",
                           BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
for name, tokens in (("good-instance", "required"), ("bad-instance", "optional")):
    ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=subnet,
                      MetadataOptions={"HttpTokens": tokens, "HttpEndpoint": "enabled"},
                      TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}])
good_vol = ec2.create_volume(AvailabilityZone=f"{HOME}a", Size=1, Encrypted=True,
                             TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "good-volume"}]}])["VolumeId"]
bad_vol = ec2.create_volume(AvailabilityZone=f"{HOME}a", Size=1, Encrypted=False,
                            TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "bad-volume"}]}])["VolumeId"]
private = ec2.create_snapshot(VolumeId=good_vol, Description="good-snapshot")["SnapshotId"]
public = ec2.create_snapshot(VolumeId=bad_vol, Description="bad-snapshot")["SnapshotId"]
ec2.modify_snapshot_attribute(SnapshotId=public, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"])
ec2.enable_ebs_encryption_by_default()

# IAM: a weak password policy, an admin customer policy attached to a user, a
# read-only one attached to a group, an inline admin policy.
iam = client("iam")
iam.update_account_password_policy(MinimumPasswordLength=8, RequireSymbols=False, RequireNumbers=True,
                                   RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
                                   MaxPasswordAge=365, PasswordReusePrevention=24)
admin = iam.create_policy(PolicyName="bad-admin", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))["Policy"]["Arn"]
readonly = iam.create_policy(PolicyName="good-readonly", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{BUCKET['good-bucket']}/*"}]}))["Policy"]["Arn"]
iam.create_user(UserName="bad-user")
iam.attach_user_policy(UserName="bad-user", PolicyArn=admin)
iam.put_user_policy(UserName="bad-user", PolicyName="bad-inline", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
iam.create_group(GroupName="good-readers")
iam.attach_group_policy(GroupName="good-readers", PolicyArn=readonly)
iam.create_user(UserName="good-user")
iam.add_user_to_group(UserName="good-user", GroupName="good-readers")

# CloudTrail: a multi-region trail that logs to CloudWatch Logs with validation on,
# without KMS; a metric filter and an alarm for root usage.
s3.create_bucket(Bucket=BUCKET["trail-logs"])
logs.create_log_group(logGroupName="trail-group")
trail_group = f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:trail-group:*"
ct = client("cloudtrail")
ct.create_trail(Name="org-trail", S3BucketName=BUCKET["trail-logs"], IsMultiRegionTrail=True, EnableLogFileValidation=True,
                CloudWatchLogsLogGroupArn=trail_group, CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/trail")
ct.start_logging(Name="org-trail")
logs.put_metric_filter(logGroupName="trail-group", filterName="root-usage",
                       filterPattern='{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
                       metricTransformations=[{"metricName": "RootUsage", "metricNamespace": "CIS", "metricValue": "1"}])
cw = client("cloudwatch")
cw.put_metric_alarm(AlarmName="root-usage", MetricName="RootUsage", Namespace="CIS", Statistic="Sum", Period=300,
                    EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
                    AlarmActions=[f"arn:aws:sns:{HOME}:{ACCOUNT}:security"])

# CloudWatch Logs: a log group kept 400 days under a KMS key; one kept 7 days under
# the default encryption. (The flow-log and trail groups above never expire and have no key.)
logs.create_log_group(logGroupName="good-log-group", kmsKeyId=f"arn:aws:kms:{HOME}:{ACCOUNT}:key/1a2b3c4d-logs")
logs.put_retention_policy(logGroupName="good-log-group", retentionInDays=400)
logs.create_log_group(logGroupName="bad-log-group")
logs.put_retention_policy(logGroupName="bad-log-group", retentionInDays=7)

# AWS Config: a recorder of everything, recording, in the home region only.
cfg = client("config")
cfg.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
                                                      "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": BUCKET["trail-logs"]})
cfg.start_configuration_recorder(ConfigurationRecorderName="default")

# KMS: one key rotated, one not.
kms = client("kms")
good_key = kms.create_key(Description="good-key")["KeyMetadata"]["KeyId"]
kms.enable_key_rotation(KeyId=good_key)
bad_key = kms.create_key(Description="bad-key")["KeyMetadata"]["KeyId"]

# RDS: one instance right on some checks and wrong on others (moto gives every
# instance the same DbiResourceId, so a second one would be the same resource), a
# public snapshot and a private one.
rds = client("rds")
rds.create_db_instance(DBInstanceIdentifier="mixed-db", DBInstanceClass="db.t3.micro", Engine="postgres",
                       MasterUsername="admin1", MasterUserPassword="not-a-real-password", AllocatedStorage=20,
                       StorageEncrypted=True, PubliclyAccessible=False, BackupRetentionPeriod=7,
                       DeletionProtection=False, AutoMinorVersionUpgrade=False)
rds.create_db_snapshot(DBInstanceIdentifier="mixed-db", DBSnapshotIdentifier="bad-db-snapshot")
rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="bad-db-snapshot", AttributeName="restore", ValuesToAdd=["all"])
rds.create_db_snapshot(DBInstanceIdentifier="mixed-db", DBSnapshotIdentifier="good-db-snapshot")

# EFS: one encrypted file system with backups, one neither.
efs = client("efs")
efs.create_file_system(CreationToken="good-efs", Encrypted=True, Backup=True, Tags=[{"Key": "Name", "Value": "good-efs"}])
efs.create_file_system(CreationToken="bad-efs", Encrypted=False, Tags=[{"Key": "Name", "Value": "bad-efs"}])

# DynamoDB: a table right on every check (on-demand, a customer managed key, deletion
# protection, point-in-time recovery), one wrong on all of them.
ddb = client("dynamodb")
table = dict(AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
             BillingMode="PAY_PER_REQUEST")
ddb.create_table(TableName="good-table", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": good_key},
                 DeletionProtectionEnabled=True, **table)
ddb.update_continuous_backups(TableName="good-table", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
ddb.create_table(TableName="bad-table", **table)


def tls_only(service, arn):
    return {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": f"{service}:*", "Resource": arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def open_to_all(action, arn):
    return {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": action, "Resource": arn}


# SQS and SNS: one encrypted, TLS-only, private; one unencrypted and open to everyone.
sqs = client("sqs")
good_queue_arn = f"arn:aws:sqs:{HOME}:{ACCOUNT}:good-queue"
sqs.create_queue(QueueName="good-queue", Attributes={"KmsMasterKeyId": good_key, "Policy": json.dumps(
    {"Version": "2012-10-17", "Statement": [tls_only("sqs", good_queue_arn)]})})
sqs.create_queue(QueueName="bad-queue", Attributes={"SqsManagedSseEnabled": "false", "Policy": json.dumps(
    {"Version": "2012-10-17", "Statement": [open_to_all("sqs:SendMessage", f"arn:aws:sqs:{HOME}:{ACCOUNT}:bad-queue")]})})
sns = client("sns")
good_topic = sns.create_topic(Name="good-topic", Attributes={"KmsMasterKeyId": good_key})["TopicArn"]
sns.set_topic_attributes(TopicArn=good_topic, AttributeName="Policy", AttributeValue=json.dumps(
    {"Version": "2012-10-17", "Statement": [tls_only("sns", good_topic)]}))
bad_topic = sns.create_topic(Name="bad-topic")["TopicArn"]
sns.set_topic_attributes(TopicArn=bad_topic, AttributeName="Policy", AttributeValue=json.dumps(
    {"Version": "2012-10-17", "Statement": [open_to_all("sns:Publish", bad_topic)]}))

# Secrets Manager: one under a customer managed key with rotation on (and so just
# rotated); one under the AWS managed key, never rotated. No rotation function: moto
# would run it in a container, and accepts rotation rules alone.
sm = client("secretsmanager")
sm.create_secret(Name="good-secret", SecretString="do-not-log-me-either", KmsKeyId=good_key)
sm.rotate_secret(SecretId="good-secret", RotationRules={"AutomaticallyAfterDays": 30})
sm.create_secret(Name="bad-secret", SecretString="do-not-log-me-either")

# Lambda: a function in a VPC with a dead-letter queue, a customer managed key and a
# supported runtime; one public, on a deprecated runtime, with none of the rest.
role = iam.create_role(RoleName="lambda-exec", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
lam = client("lambda")
code = {"ZipFile": b"PK\x05\x06" + b"\x00" * 18}
lam.create_function(FunctionName="good-function", Runtime="python3.12", Role=role, Handler="app.handler", Code=code,
                    VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [good_sg]},
                    DeadLetterConfig={"TargetArn": good_queue_arn}, KMSKeyArn=f"arn:aws:kms:{HOME}:{ACCOUNT}:key/{good_key}",
                    Environment={"Variables": {"DB_PASSWORD": "do-not-log-me-either", "STAGE": "prod"}})
lam.create_function(FunctionName="bad-function", Runtime="python3.8", Role=role, Handler="app.handler", Code=code,
                    Environment={"Variables": {"API_TOKEN": "do-not-log-me-either"}})
lam.add_permission(FunctionName="bad-function", StatementId="public", Action="lambda:InvokeFunction", Principal="*")

# ECR: a repository scanning on push, immutable tags, a lifecycle policy; one public
# with none of them.
ecr = client("ecr")
ecr.create_repository(repositoryName="good-repo", imageScanningConfiguration={"scanOnPush": True}, imageTagMutability="IMMUTABLE",
                      encryptionConfiguration={"encryptionType": "KMS", "kmsKey": f"arn:aws:kms:{HOME}:{ACCOUNT}:key/{good_key}"})
ecr.put_lifecycle_policy(repositoryName="good-repo", lifecyclePolicyText=json.dumps({"rules": [{
    "rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
    "action": {"type": "expire"}}]}))
ecr.create_repository(repositoryName="bad-repo")
ecr.set_repository_policy(repositoryName="bad-repo", policyText=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}))

# Elastic Load Balancing: an internal ALB with logs, deletion protection, strict header
# handling and only an HTTPS listener on a current policy; an internet-facing one with
# none of that and a plain HTTP listener; a classic load balancer on plain HTTP.
elbv2 = client("elbv2")
subnet_b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.2.0/24", AvailabilityZone=f"{HOME}b")["Subnet"]["SubnetId"]
subnet_a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.3.0/24", AvailabilityZone=f"{HOME}a")["Subnet"]["SubnetId"]
acm = client("acm")
cert = acm.request_certificate(DomainName="good.example.com", ValidationMethod="DNS")["CertificateArn"]
target = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
forward = [{"Type": "forward", "TargetGroupArn": target}]
good_alb = elbv2.create_load_balancer(Name="good-alb", Subnets=[subnet_a, subnet_b], Scheme="internal")["LoadBalancers"][0]["LoadBalancerArn"]
elbv2.modify_load_balancer_attributes(LoadBalancerArn=good_alb, Attributes=[
    {"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": BUCKET["good-logs"]},
    {"Key": "deletion_protection.enabled", "Value": "true"},
    {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
    {"Key": "routing.http.desync_mitigation_mode", "Value": "strictest"}])
elbv2.create_listener(LoadBalancerArn=good_alb, Protocol="HTTPS", Port=443, SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
                      Certificates=[{"CertificateArn": cert}], DefaultActions=forward)
bad_alb = elbv2.create_load_balancer(Name="bad-alb", Subnets=[subnet_a, subnet_b])["LoadBalancers"][0]["LoadBalancerArn"]
elbv2.modify_load_balancer_attributes(LoadBalancerArn=bad_alb, Attributes=[{"Key": "routing.http.desync_mitigation_mode", "Value": "monitor"}])
elbv2.create_listener(LoadBalancerArn=bad_alb, Protocol="HTTP", Port=80, DefaultActions=forward)
elbv2.create_listener(LoadBalancerArn=bad_alb, Protocol="HTTPS", Port=443, SslPolicy="ELBSecurityPolicy-2016-08",
                      Certificates=[{"CertificateArn": cert}], DefaultActions=forward)
elb = client("elb")
elb.create_load_balancer(LoadBalancerName="bad-clb", Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
                         AvailabilityZones=[f"{HOME}a"])

# ACM: the requested certificate above (RSA-2048, transparency logging on by default) and
# one requested with logging opted out.
# (Export spelled out: moto 5.1.22 fails to list certificates whose options lack it.)
acm.request_certificate(DomainName="bad.example.com", ValidationMethod="DNS", Options={"CertificateTransparencyLoggingPreference": "DISABLED", "Export": "DISABLED"})

# Redshift: an encrypted, private cluster with snapshots, audit logs, enhanced VPC routing
# and upgrades; a public unencrypted one without.
rs = client("redshift")
rs.create_cluster(ClusterIdentifier="good-warehouse", NodeType="ra3.xlplus", MasterUsername="admin1",
                  MasterUserPassword="Not-a-real-password1", Encrypted=True, PubliclyAccessible=False,
                  AutomatedSnapshotRetentionPeriod=7, EnhancedVpcRouting=True, AllowVersionUpgrade=True)
rs.enable_logging(ClusterIdentifier="good-warehouse", BucketName=BUCKET["good-logs"])
rs.create_cluster(ClusterIdentifier="bad-warehouse", NodeType="ra3.xlplus", MasterUsername="admin1",
                  MasterUserPassword="Not-a-real-password1", Encrypted=False, PubliclyAccessible=True,
                  AutomatedSnapshotRetentionPeriod=0, EnhancedVpcRouting=False, AllowVersionUpgrade=False)

# OpenSearch: a domain in the VPC with encryption, HTTPS on TLS 1.2, audit logs and
# fine-grained access control; a public one with none of it.
osd = client("opensearch")
osd.create_domain(DomainName="good-search", EncryptionAtRestOptions={"Enabled": True},
                  NodeToNodeEncryptionOptions={"Enabled": True},
                  DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
                  VPCOptions={"SubnetIds": [subnet_a], "SecurityGroupIds": [good_sg]},
                  LogPublishingOptions={"AUDIT_LOGS": {"Enabled": True, "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:search-audit"}},
                  AdvancedSecurityOptions={"Enabled": True, "InternalUserDatabaseEnabled": True,
                                           "MasterUserOptions": {"MasterUserName": "admin1", "MasterUserPassword": "Not-a-real-password1"}})
osd.create_domain(DomainName="bad-search")

# EKS: a private cluster with every log type and secrets encrypted; a public one on an
# old version with neither.
eks = client("eks")
eks.create_cluster(name="good-cluster", version="1.33", roleArn=role,
                   resourcesVpcConfig={"subnetIds": [subnet_a, subnet_b], "endpointPublicAccess": False, "endpointPrivateAccess": True},
                   logging={"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"], "enabled": True}]},
                   encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": f"arn:aws:kms:{HOME}:{ACCOUNT}:key/{good_key}"}}])
eks.create_cluster(name="bad-cluster", version="1.27", roleArn=role,
                   resourcesVpcConfig={"subnetIds": [subnet_a, subnet_b], "endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]})

# ECS: a task definition with an unprivileged read-only container and its credential
# from Secrets Manager; one privileged, on the host network as root, with a password in
# its environment.
ecs = client("ecs")
ecs.register_task_definition(family="good-task", networkMode="awsvpc", containerDefinitions=[{
    "name": "app", "image": "good-repo:1", "memory": 512, "privileged": False, "readonlyRootFilesystem": True, "user": "1000",
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "good-task", "awslogs-region": HOME}},
    "environment": [{"name": "STAGE", "value": "prod"}],
    "secrets": [{"name": "DB_PASSWORD", "valueFrom": f"arn:aws:secretsmanager:{HOME}:{ACCOUNT}:secret:good-secret"}]}])
ecs.register_task_definition(family="bad-task", networkMode="host", containerDefinitions=[{
    "name": "app", "image": "bad-repo:latest", "memory": 512, "privileged": True,
    "environment": [{"name": "DB_PASSWORD", "value": "do-not-log-me-either"}]}])

# CloudFront (global): an HTTPS-only distribution on TLS 1.2 with logs, a web ACL and
# origin access control in front of an S3 bucket; one allowing HTTP, on the default
# certificate, without logs, WAF or origin access control.
cf = client("cloudfront")


def distribution(ref, https, logs, waf, oac):
    config = {"CallerReference": ref, "Comment": ref, "Enabled": True,
              "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": f"{BUCKET['good-bucket']}.s3.amazonaws.com",
                                                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                                                    **({"OriginAccessControlId": "E2QWRUHEXAMPLE"} if oac else {})}]},
              "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "https-only" if https else "allow-all",
                                       "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}, "MinTTL": 0,
                                       # Spelled out: moto's default renders as "True", which is not XML's boolean.
                                       "SmoothStreaming": False},
              "Logging": {"Enabled": logs, "IncludeCookies": False, "Bucket": f"{BUCKET['good-logs']}.s3.amazonaws.com" if logs else "", "Prefix": ""}}
    if https:
        config["ViewerCertificate"] = {"ACMCertificateArn": cert, "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}
    if waf:
        config["WebACLId"] = f"arn:aws:wafv2:us-east-1:{ACCOUNT}:global/webacl/good/1234"
    return cf.create_distribution(DistributionConfig=config)["Distribution"]["Id"]


good_cdn = distribution("good-cdn", True, True, True, True)
bad_cdn = distribution("bad-cdn", False, False, False, False)

# EC2 extras: the good instance gets an instance profile and detailed monitoring; a
# public image beside the private seed image; launch templates and Auto Scaling.
profile = iam.create_instance_profile(InstanceProfileName="good-profile")["InstanceProfile"]
iam.add_role_to_instance_profile(InstanceProfileName="good-profile", RoleName="lambda-exec")
instances = {t["Value"]: i["InstanceId"] for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]
             for t in i.get("Tags", []) if t["Key"] == "Name"}
ec2.associate_iam_instance_profile(IamInstanceProfile={"Name": "good-profile"}, InstanceId=instances["good-instance"])
public_image = ec2.register_image(Name="bad-image", RootDeviceName="/dev/xvda", Architecture="x86_64",
                                  BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
ec2.modify_image_attribute(ImageId=public_image, LaunchPermission={"Add": [{"Group": "all"}]})
ec2.create_launch_template(LaunchTemplateName="good-template", LaunchTemplateData={
    "ImageId": image, "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
    "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": False}]})
ec2.create_launch_template(LaunchTemplateName="bad-template", LaunchTemplateData={
    "ImageId": image, "MetadataOptions": {"HttpTokens": "optional"},
    "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}]})
asg = client("autoscaling")
asg.create_launch_configuration(LaunchConfigurationName="good-lc", ImageId=image, InstanceType="t3.micro",
                                AssociatePublicIpAddress=False, MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"})
asg.create_launch_configuration(LaunchConfigurationName="bad-lc", ImageId=image, InstanceType="t3.micro",
                                AssociatePublicIpAddress=True, MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"})
asg.create_auto_scaling_group(AutoScalingGroupName="good-asg", LaunchConfigurationName="good-lc", MinSize=0, MaxSize=1,
                              VPCZoneIdentifier=f"{subnet_a},{subnet_b}", TargetGroupARNs=[target], HealthCheckType="ELB")
asg.create_auto_scaling_group(AutoScalingGroupName="bad-asg", LaunchConfigurationName="bad-lc", MinSize=0, MaxSize=1,
                              VPCZoneIdentifier=subnet_a, TargetGroupARNs=[target], HealthCheckType="EC2")

# A key scheduled for deletion.
deleted_key = kms.create_key(Description="bad-deleted-key")["KeyMetadata"]["KeyId"]
kms.schedule_key_deletion(KeyId=deleted_key, PendingWindowInDays=7)

# API Gateway: a REST API whose method asks for IAM credentials, with a stage with
# execution logs, X-Ray, an encrypted cache and a web ACL; one with none of them.
apigw = client("apigateway")
for api_name, good in (("good-api", True), ("bad-api", False)):
    api = apigw.create_rest_api(name=api_name)["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="AWS_IAM" if good else "NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = apigw.create_deployment(restApiId=api)["id"]
    apigw.create_stage(restApiId=api, stageName="prod", deploymentId=deployment, tracingEnabled=good, cacheClusterEnabled=good,
                       cacheClusterSize="0.5")
    if good:
        # (moto has no GenerateClientCertificate and keeps no certificate id on a stage.)
        apigw.update_stage(restApiId=api, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
            {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
            {"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": "true"}])
        good_stage = f"arn:aws:apigateway:{HOME}::/restapis/{api}/stages/prod"

# API Gateway HTTP APIs: one whose route needs a JWT and whose stage writes access
# logs; one with an open route and a stage without logs.
apigw2 = client("apigatewayv2")
for api_name, good in (("good-http-api", True), ("bad-http-api", False)):
    api = apigw2.create_api(Name=api_name, ProtocolType="HTTP")["ApiId"]
    route = {"AuthorizationType": "NONE"}
    if good:
        authorizer = apigw2.create_authorizer(ApiId=api, Name="jwt", AuthorizerType="JWT", IdentitySource=["$request.header.Authorization"],
                                              JwtConfiguration={"Audience": ["good"], "Issuer": "https://issuer.example.com"})["AuthorizerId"]
        route = {"AuthorizationType": "JWT", "AuthorizerId": authorizer}
    apigw2.create_route(ApiId=api, RouteKey="GET /items", **route)
    logs = {"AccessLogSettings": {"DestinationArn": f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:good-http-api-access",
                                  "Format": "$context.requestId"}} if good else {}
    apigw2.create_stage(ApiId=api, StageName="prod", **logs)

# AWS WAF: a web ACL in front of the good load balancer and the good API stage.
waf = client("wafv2")
web_acl = waf.create_web_acl(Name="good-web-acl", Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=[],
                         VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "good"})["Summary"]["ARN"]
waf.associate_web_acl(WebACLArn=web_acl, ResourceArn=good_alb)
waf.associate_web_acl(WebACLArn=web_acl, ResourceArn=good_stage)

# AWS Backup: a locked vault and an unlocked one; a plan in the home region only.
backup = client("backup")
backup.create_backup_vault(BackupVaultName="good-vault")
backup.put_backup_vault_lock_configuration(BackupVaultName="good-vault", MinRetentionDays=7)
backup.create_backup_vault(BackupVaultName="bad-vault")
backup.create_backup_plan(BackupPlan={"BackupPlanName": "good-plan", "Rules": [
    {"RuleName": "daily", "TargetBackupVaultName": "good-vault", "ScheduleExpression": "cron(0 5 ? * * *)"}]})

# ElastiCache: a replication group with everything on; one with nothing.
ec = client("elasticache")
ec.create_replication_group(ReplicationGroupId="good-cache", ReplicationGroupDescription="good", Engine="redis",
                            CacheNodeType="cache.t3.micro", NumCacheClusters=2, AtRestEncryptionEnabled=True,
                            TransitEncryptionEnabled=True, AuthToken="not-a-real-token-0123456789",
                            AutomaticFailoverEnabled=True, MultiAZEnabled=True, SnapshotRetentionLimit=7)
ec.create_replication_group(ReplicationGroupId="bad-cache", ReplicationGroupDescription="bad", Engine="redis",
                            CacheNodeType="cache.t3.micro", NumCacheClusters=1)

# Systems Manager: a private document and a public one; Session Manager logging to S3
# in the home region.
ssm = client("ssm")
command = json.dumps({"schemaVersion": "2.2", "description": "seed", "mainSteps": [
    {"action": "aws:runShellScript", "name": "run", "inputs": {"runCommand": ["true"]}}]})
ssm.create_document(Name="good-doc", Content=command, DocumentType="Command")
ssm.create_document(Name="bad-doc", Content=command, DocumentType="Command")
ssm.modify_document_permission(Name="bad-doc", PermissionType="Share", AccountIdsToAdd=["all"])
ssm.create_document(Name="SSM-SessionManagerRunShell", DocumentType="Session", Content=json.dumps({
    "schemaVersion": "1.0", "description": "Session Manager preferences", "sessionType": "Standard_Stream",
    "inputs": {"s3BucketName": BUCKET["good-logs"], "s3EncryptionEnabled": True, "cloudWatchLogGroupName": "", "kmsKeyId": ""}}))

# Macie and Inspector: on in the home region only; the account's security contact.
client("macie2").enable_macie()
client("inspector2").enable(accountIds=[ACCOUNT], resourceTypes=["EC2", "ECR"])
client("account").put_alternate_contact(AlternateContactType="SECURITY", Name="Security team", Title="SOC",
                                        EmailAddress="security@example.com", PhoneNumber="+15555550100")

# AWS Organizations: moto's own account is the management account of an organization
# (organization.py makes one with members first; alone, the seed makes it) with a
# region-restricting SCP attached to the root and a second one attached nowhere. Only a
# management account can list SCPs, so members get none.
orgs = client("organizations")
if ACCOUNT == MANAGEMENT:
    try:
        orgs.describe_organization()
    except orgs.exceptions.AWSOrganizationsNotInUseException:
        orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    for name, attached in (("good-deny-other-regions", True), ("bad-detached-region-guard", False)):
        content = {"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyOutsideApprovedRegions", "Effect": "Deny", "NotAction": ["iam:*", "organizations:*", "sts:*"],
            "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": [HOME, "eu-west-1"]}}}]}
        policy = orgs.create_policy(Content=json.dumps(content), Description=name, Name=name,
                                    Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]
        if attached:
            orgs.attach_policy(PolicyId=policy, TargetId=root)

# GuardDuty and Security Hub: on in the home region only.
client("guardduty").create_detector(Enable=True)
client("securityhub").enable_security_hub()

# The generated ids, for the test's assertions.
print(json.dumps({"good-vpc": vpc, "good-acl": acl, "good-volume": good_vol, "bad-volume": bad_vol,
                  "good-snapshot": private, "bad-snapshot": public, "good-key": good_key, "bad-key": bad_key,
                  "good-cdn": good_cdn, "bad-cdn": bad_cdn, "good-instance": instances["good-instance"],
                  "bad-instance": instances["bad-instance"], "bad-image": public_image, "good-image": image,
                  "bad-deleted-key": deleted_key}))
