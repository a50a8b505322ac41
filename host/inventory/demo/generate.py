"""Regenerates the demo organization (acme-health/*.json) in AWS Config's shapes.

Run from anywhere: python3 host/inventory/demo/generate.py
The JSON files are the source of truth the engine embeds; this script only makes
editing them consistent (same shapes, same account ids, same capture time).
"""
import os
import json, urllib.parse
CAP = "2026-11-01T06:00:00Z"

def item(acct, rtype, rid, region, conf, supp=None, name=None, arn=None, tags=None):
    d = {"resourceType": rtype, "resourceId": rid}
    if name: d["resourceName"] = name
    d["accountId"] = acct; d["awsRegion"] = region
    if arn: d["arn"] = arn
    d["configuration"] = conf
    d["supplementaryConfiguration"] = supp or {}
    d["tags"] = tags or {}
    return d

def tls_policy(bucket):
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
        "Action": "s3:*", "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})

def bucket(acct, name, region="us-east-1", sse="aws:kms", versioning="Enabled", pab=(True,)*4, policy=None, logging_to=None, mfa_delete=False, tags=None, public_acl=False):
    supp = {}
    if sse:
        rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": sse}, "bucketKeyEnabled": sse == "aws:kms"}
        if sse == "aws:kms": rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyID"] = f"arn:aws:kms:{region}:{acct}:key/0f1e2d3c-aaaa-bbbb-cccc-{acct}"
        supp["ServerSideEncryptionConfiguration"] = {"rules": [rule]}
    supp["BucketVersioningConfiguration"] = {"status": versioning, "isMfaDeleteEnabled": mfa_delete}
    if pab is not None:
        supp["PublicAccessBlockConfiguration"] = dict(zip(["blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"], pab))
    if policy: supp["BucketPolicy"] = {"policyText": policy}
    supp["BucketLoggingConfiguration"] = {"destinationBucketName": logging_to, "logFilePrefix": f"s3/{name}/" if logging_to else None}
    supp["AccessControlList"] = {"grantList": [{"grantee": {"id": "acme" + acct}, "permission": "FullControl"}] + ([{"grantee": "AllUsers", "permission": "Read"}] if public_acl else []), "owner": {"id": "acme" + acct}}
    conf = {"name": name, "owner": {"id": "acme" + acct}, "creationDate": "2023-04-12T09:30:00.000Z"}
    return item(acct, "AWS::S3::Bucket", name, region, conf, supp, name=name, arn=f"arn:aws:s3:::{name}", tags=tags)

def account_pab(acct, flags=(True,)*4):
    conf = dict(zip(["blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"], flags))
    return item(acct, "AWS::S3::AccountPublicAccessBlock", acct, "us-east-1", conf)

def perm(proto, frm, to, v4=(), v6=(), groups=()):
    p = {"ipProtocol": proto, "ipv4Ranges": [{"cidrIp": c} for c in v4], "ipv6Ranges": [{"cidrIpv6": c} for c in v6],
         "ipRanges": list(v4), "userIdGroupPairs": [{"groupId": g} for g in groups], "prefixListIds": []}
    if proto != "-1": p["fromPort"] = frm; p["toPort"] = to
    return p

def sg(acct, gid, name, vpc, ingress, region="us-east-1", egress=None):
    egress = egress if egress is not None else [perm("-1", None, None, v4=["0.0.0.0/0"])]
    conf = {"groupId": gid, "groupName": name, "description": f"{name} security group", "vpcId": vpc, "ownerId": acct,
            "ipPermissions": ingress, "ipPermissionsEgress": egress}
    return item(acct, "AWS::EC2::SecurityGroup", gid, region, conf, name=name, arn=f"arn:aws:ec2:{region}:{acct}:security-group/{gid}")

def ebs_default(acct, region, on):
    conf = {"ebsEncryptionByDefault": on}
    if on: conf["kmsKeyId"] = "alias/aws/ebs"
    return item(acct, "SecureBase::EC2::EbsEncryptionByDefault", f"{acct}:{region}", region, conf)

def volume(acct, vid, encrypted, region="us-east-1", instance=None):
    conf = {"volumeId": vid, "encrypted": encrypted, "size": 100, "volumeType": "gp3", "state": "in-use" if instance else "available",
            "availabilityZone": region + "a", "attachments": [{"instanceId": instance, "device": "/dev/xvda", "state": "attached"}] if instance else []}
    if encrypted: conf["kmsKeyId"] = f"arn:aws:kms:{region}:{acct}:alias/aws/ebs"
    return item(acct, "AWS::EC2::Volume", vid, region, conf, arn=f"arn:aws:ec2:{region}:{acct}:volume/{vid}")

def instance(acct, iid, tokens, region="us-east-1", name=None, endpoint="enabled", profile=None, public_ip=None, monitoring=None):
    # profile: instance profile (role) name; public_ip=None: no public IPv4 address; monitoring: "enabled" (detailed) or "disabled" (basic)
    conf = {"instanceId": iid, "instanceType": "m6i.large", "state": {"name": "running"}, "imageId": "ami-0abcdef1234567890",
            "metadataOptions": {"httpTokens": tokens, "httpEndpoint": endpoint, "httpPutResponseHopLimit": 1}}
    if profile: conf["iamInstanceProfile"] = {"arn": f"arn:aws:iam::{acct}:instance-profile/{profile}", "id": "AIPA" + profile.upper().replace("-", "")[:12].ljust(12, "X")}
    if public_ip: conf["publicIpAddress"] = public_ip
    if monitoring: conf["monitoring"] = {"state": monitoring}
    return item(acct, "AWS::EC2::Instance", iid, region, conf, name=name, arn=f"arn:aws:ec2:{region}:{acct}:instance/{iid}",
                tags={"Name": name} if name else None)

def vpc(acct, vid, cidr, region="us-east-1", default=False):
    return item(acct, "AWS::EC2::VPC", vid, region, {"vpcId": vid, "cidrBlock": cidr, "isDefault": default, "state": "available"},
                arn=f"arn:aws:ec2:{region}:{acct}:vpc/{vid}")

def flow_log(acct, fid, vid, region="us-east-1", traffic="ALL"):
    return item(acct, "AWS::EC2::FlowLog", fid, region, {"flowLogId": fid, "resourceId": vid, "trafficType": traffic,
                "flowLogStatus": "ACTIVE", "logDestinationType": "s3"})

def nacl_entry(rule, action, port=None, cidr="0.0.0.0/0", v6=False, proto="6", egress=False):
    e = {"ruleNumber": rule, "protocol": proto, "ruleAction": action, "egress": egress}
    e["ipv6CidrBlock" if v6 else "cidrBlock"] = cidr
    if port is not None: e["portRange"] = {"from": port[0], "to": port[1]}
    return e

def nacl(acct, nid, vpc_id, entries, region="us-east-1"):
    star = [nacl_entry(32767, "deny", proto="-1"), nacl_entry(32767, "deny", proto="-1", egress=True)]
    return item(acct, "AWS::EC2::NetworkAcl", nid, region, {"networkAclId": nid, "vpcId": vpc_id, "isDefault": False, "entries": entries + star},
                arn=f"arn:aws:ec2:{region}:{acct}:network-acl/{nid}")

def snapshot(acct, sid, public=False, shared_with=None, region="us-east-1"):
    perms = ([{"group": "all"}] if public else []) + ([{"userId": shared_with}] if shared_with else [])
    return item(acct, "SecureBase::EC2::EbsSnapshot", sid, region, {"snapshotId": sid, "volumeId": "vol-0123", "encrypted": not public, "createVolumePermissions": perms})

def trail(acct, name, bucket_name, region="us-east-1", multi=True, logging=True, validation=True, kms=True, cw_group=None, data_events=None, advanced=None):
    arn = f"arn:aws:cloudtrail:{region}:{acct}:trail/{name}"
    conf = {"TrailName": name, "S3BucketName": bucket_name, "IsLogging": logging, "IsMultiRegionTrail": multi, "IncludeGlobalServiceEvents": True,
            "EnableLogFileValidation": validation, "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]}
    if kms: conf["KMSKeyId"] = f"arn:aws:kms:{region}:{acct}:key/trail-key"
    if cw_group: conf["CloudWatchLogsLogGroupArn"] = f"arn:aws:logs:{region}:{acct}:log-group:{cw_group}:*"; conf["CloudWatchLogsRoleArn"] = f"arn:aws:iam::{acct}:role/CloudTrailToCloudWatch"
    if data_events: conf["EventSelectors"][0]["ReadWriteType"] = data_events; conf["EventSelectors"][0]["DataResources"] = [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]
    if advanced is not None: del conf["EventSelectors"]; conf["AdvancedEventSelectors"] = advanced
    return item(acct, "AWS::CloudTrail::Trail", arn, region, conf, name=name, arn=arn)

def metric_filter(acct, group_name, name, pattern, metric, region="us-east-1"):
    return item(acct, "SecureBase::Logs::MetricFilter", f"{group_name}/{name}", region, {"logGroupName": group_name, "filterName": name, "filterPattern": pattern,
                "metricTransformations": [{"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}]})

def alarm(acct, name, metric, region="us-east-1", actions=True):
    arn = f"arn:aws:cloudwatch:{region}:{acct}:alarm:{name}"
    return item(acct, "AWS::CloudWatch::Alarm", name, region, {"alarmName": name, "alarmArn": arn, "metricName": metric, "namespace": "CISBenchmark",
                "actionsEnabled": True, "alarmActions": [f"arn:aws:sns:{region}:{acct}:security-alerts"] if actions else [], "threshold": 1.0,
                "comparisonOperator": "GreaterThanOrEqualToThreshold"}, name=name, arn=arn)

def recorder(acct, region, recording=True, all_supported=True, status="SUCCESS"):
    return item(acct, "SecureBase::Config::Recorder", f"{region}/default", region, {"name": "default", "recording": recording, "allSupported": all_supported,
                "includeGlobalResourceTypes": region == "us-east-1", "lastStatus": status})

def kms_key(acct, kid, manager="CUSTOMER", rotation=True, spec="SYMMETRIC_DEFAULT", state="Enabled", policy=None, region="us-east-1"):
    arn = f"arn:aws:kms:{region}:{acct}:key/{kid}"
    default_policy = {"Version": "2012-10-17", "Statement": [{"Sid": "EnableIAM", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "kms:*", "Resource": "*"}]}
    supp = {"KeyRotationStatus": rotation, "KeyPolicy": json.dumps(policy or default_policy)}
    return item(acct, "AWS::KMS::Key", kid, region, {"keyId": kid, "arn": arn, "keyManager": manager, "keyState": state, "keySpec": spec, "keyUsage": "ENCRYPT_DECRYPT", "origin": "AWS_KMS"}, supp, arn=arn)

def rds(acct, name, encrypted=True, public=False, backup=7, deletion=True, minor=True, multi_az=True, iam_auth=None, monitoring=0, log_exports=(),
        copy_tags=False, region="us-east-1"):
    # iam_auth=None: none of the round-three keys (iAMDatabaseAuthenticationEnabled, monitoringInterval, ...) recorded
    arn = f"arn:aws:rds:{region}:{acct}:db:{name}"
    rid = f"db-{name.upper()[:20]}"
    conf = {"dBInstanceIdentifier": name, "engine": "postgres", "engineVersion": "16.4",
            "storageEncrypted": encrypted, "publiclyAccessible": public, "backupRetentionPeriod": backup, "deletionProtection": deletion,
            "autoMinorVersionUpgrade": minor, "multiAZ": multi_az}
    if iam_auth is not None:
        conf.update({"iAMDatabaseAuthenticationEnabled": iam_auth, "monitoringInterval": monitoring})
        if monitoring: conf["enhancedMonitoringResourceArn"] = f"arn:aws:logs:{region}:{acct}:log-group:RDSOSMetrics:log-stream:{rid}"
        conf.update({"enabledCloudwatchLogsExports": list(log_exports), "copyTagsToSnapshot": copy_tags})
    return item(acct, "AWS::RDS::DBInstance", rid, region, conf, name=name, arn=arn)

def rds_snapshot(acct, name, public=False, encrypted=True, region="us-east-1"):
    arn = f"arn:aws:rds:{region}:{acct}:snapshot:{name}"
    return item(acct, "AWS::RDS::DBSnapshot", name, region, {"dBSnapshotIdentifier": name, "encrypted": encrypted, "snapshotType": "manual"},
                {"DBSnapshotAttributes": [{"attributeName": "restore", "attributeValues": ["all"] if public else []}]}, name=name, arn=arn)

def detector(acct, region, enabled=True):
    return item(acct, "AWS::GuardDuty::Detector", f"d-{region}", region, {"Enable": enabled, "FindingPublishingFrequency": "FIFTEEN_MINUTES"})

def hub(acct, region):
    arn = f"arn:aws:securityhub:{region}:{acct}:hub/default"
    return item(acct, "AWS::SecurityHub::Hub", arn, region, {"ARN": arn, "SubscribedAt": "2024-03-01T00:00:00Z", "AutoEnableControls": True}, arn=arn)

def efs(acct, fid, encrypted=True, backup=True, region="us-east-1"):
    return item(acct, "AWS::EFS::FileSystem", fid, region, {"FileSystemId": fid, "Encrypted": encrypted, "PerformanceMode": "generalPurpose",
                "BackupPolicy": {"Status": "ENABLED" if backup else "DISABLED"}}, arn=f"arn:aws:elasticfilesystem:{region}:{acct}:file-system/{fid}")

def server_cert(acct, name, expiration):
    arn = f"arn:aws:iam::{acct}:server-certificate/{name}"
    return item(acct, "SecureBase::IAM::ServerCertificate", name, "global", {"serverCertificateName": name, "arn": arn, "expiration": expiration,
                "uploadDate": "2024-01-15T00:00:00Z"}, name=name, arn=arn)

def password_policy(acct, **kw):
    return item(acct, "SecureBase::IAM::PasswordPolicy", acct, "global", kw)

def summary(acct, mfa, keys):
    return item(acct, "SecureBase::IAM::AccountSummary", acct, "global",
                {"AccountMFAEnabled": mfa, "AccountAccessKeysPresent": keys, "AccountSigningCertificatesPresent": 0, "Users": 4, "Groups": 2})

def cred(acct, user, console, mfa, key1=None, key1_rotated="N/A", pw_last_used="2026-10-30T12:00:00+00:00", key1_used="N/A", created="2023-01-10T08:00:00+00:00"):
    arn = f"arn:aws:iam::{acct}:root" if user == "<root_account>" else f"arn:aws:iam::{acct}:user/{user}"
    conf = {"user": user, "arn": arn, "user_creation_time": created,
            "password_enabled": "not_supported" if user == "<root_account>" else ("true" if console else "false"),
            "password_last_used": pw_last_used if console else "N/A",
            "mfa_active": "true" if mfa else "false",
            "access_key_1_active": "true" if key1 else "false", "access_key_1_last_rotated": key1_rotated if key1 else "N/A",
            "access_key_1_last_used_date": key1_used if key1 else "N/A",
            "access_key_2_active": "false", "access_key_2_last_rotated": "N/A"}
    return item(acct, "SecureBase::IAM::CredentialReportEntry", user, "global", conf, arn=arn)

def account_item(acct, name):
    return item(acct, "SecureBase::Account::Account", acct, "global", {"accountId": acct, "accountName": name})

def region_item(acct, region):
    return item(acct, "SecureBase::Account::Region", region, region, {"regionName": region, "optInStatus": "opt-in-not-required"})

def virtual_mfa(acct, user="root"):
    serial = f"arn:aws:iam::{acct}:mfa/root-account-mfa-device" if user == "root" else f"arn:aws:iam::{acct}:mfa/{user}"
    arn = f"arn:aws:iam::{acct}:root" if user == "root" else f"arn:aws:iam::{acct}:user/{user}"
    return item(acct, "SecureBase::IAM::VirtualMFADevice", serial, "global", {"serialNumber": serial, "user": {"arn": arn}})

def analyzer(acct, name, region="us-east-1"):
    arn = f"arn:aws:access-analyzer:{region}:{acct}:analyzer/{name}"
    return item(acct, "AWS::AccessAnalyzer::Analyzer", arn, region, {"AnalyzerName": name, "Arn": arn, "Type": "ACCOUNT"}, name=name, arn=arn)

def inline(name, doc):
    return {"policyName": name, "policyDocument": urllib.parse.quote(json.dumps(doc), safe="")}

def role(acct, name, managed=(), inline_policies=()):
    rid = "AROA" + name.upper().replace("-", "")[:12].ljust(12, "X")
    conf = {"roleName": name, "roleId": rid, "arn": f"arn:aws:iam::{acct}:role/{name}", "path": "/",
            "attachedManagedPolicies": [{"policyName": m.rsplit("/", 1)[-1], "policyArn": m if m.startswith("arn:") else f"arn:aws:iam::aws:policy/{m}"} for m in managed],
            "rolePolicyList": list(inline_policies)}
    return item(acct, "AWS::IAM::Role", rid, "global", conf, name=name, arn=conf["arn"])

def group(acct, name, inline_policies=()):
    gid = "AGPA" + name.upper().replace("-", "")[:12].ljust(12, "X")
    conf = {"groupName": name, "groupId": gid, "arn": f"arn:aws:iam::{acct}:group/{name}", "groupPolicyList": list(inline_policies), "attachedManagedPolicies": []}
    return item(acct, "AWS::IAM::Group", gid, "global", conf, name=name, arn=conf["arn"])

def policy(acct, name, doc, attachments=1):
    pid = "ANPA" + name.upper()[:12].ljust(12, "X")
    encoded = urllib.parse.quote(json.dumps(doc, separators=(",", ":")), safe="")
    conf = {"policyName": name, "policyId": pid, "arn": f"arn:aws:iam::{acct}:policy/{name}", "path": "/", "defaultVersionId": "v1",
            "attachmentCount": attachments, "isAttachable": True,
            "policyVersionList": [{"document": encoded, "versionId": "v1", "isDefaultVersion": True}]}
    return item(acct, "AWS::IAM::Policy", pid, "global", conf, name=name, arn=conf["arn"])

def user(acct, name, managed=(), inline=(), groups=()):
    uid = "AIDA" + name.upper().replace("-", "")[:12].ljust(12, "X")
    conf = {"userName": name, "userId": uid, "arn": f"arn:aws:iam::{acct}:user/{name}", "path": "/",
            "attachedManagedPolicies": [{"policyName": m, "policyArn": f"arn:aws:iam::aws:policy/{m}"} for m in managed],
            "userPolicyList": [{"policyName": p, "policyDocument": urllib.parse.quote(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}), safe="")} for p in inline],
            "groupList": list(groups)}
    return item(acct, "AWS::IAM::User", uid, "global", conf, name=name, arn=conf["arn"])

def key_arn(acct, kid, region="us-east-1"):
    return f"arn:aws:kms:{region}:{acct}:key/{kid}"

def tls_only(service, resource):
    """The Deny-without-TLS statement of an SQS queue or SNS topic policy."""
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": f"{service}:*", "Resource": resource,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}

def dynamodb_table(acct, name, pitr=True, sse=None, deletion=True, billing="PAY_PER_REQUEST", region="us-east-1", tags=None):
    # sse: None = the AWS owned key (no ssedescription), else the KMS key ARN (AWS managed or customer managed)
    arn = f"arn:aws:dynamodb:{region}:{acct}:table/{name}"
    conf = {"tableName": name, "tableArn": arn, "tableStatus": "ACTIVE", "billingModeSummary": {"billingMode": billing}}
    if sse: conf["ssedescription"] = {"status": "ENABLED", "ssetype": "KMS", "kmsmasterKeyArn": sse}
    conf["deletionProtectionEnabled"] = deletion
    supp = {"ContinuousBackupsDescription": {"continuousBackupsStatus": "ENABLED",
            "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLED" if pitr else "DISABLED"}}}
    return item(acct, "AWS::DynamoDB::Table", name, region, conf, supp, arn=arn, tags=tags)

def sqs_queue(acct, name, kms=None, sqs_managed=None, statements=None, region="us-east-1", tags=None):
    # Every attribute a string, as AWS Config records them; statements=None: no queue policy
    url = f"https://sqs.{region}.amazonaws.com/{acct}/{name}"
    arn = f"arn:aws:sqs:{region}:{acct}:{name}"
    conf = {"QueueUrl": url, "QueueArn": arn}
    if kms: conf["KmsMasterKeyId"] = kms
    if sqs_managed is not None: conf["SqsManagedSseEnabled"] = "true" if sqs_managed else "false"
    if statements is not None:
        conf["Policy"] = json.dumps({"Version": "2012-10-17", "Id": f"{arn}/SQSDefaultPolicy", "Statement": statements(arn)})
    return item(acct, "AWS::SQS::Queue", url, region, conf, name=name, arn=arn, tags=tags)

def sns_topic(acct, name, kms=None, statements=None, region="us-east-1", tags=None):
    # statements=None: no topic policy; each statement builder gets the topic ARN
    arn = f"arn:aws:sns:{region}:{acct}:{name}"
    conf = {"TopicArn": arn}
    if kms: conf["KmsMasterKeyId"] = kms
    if statements is not None:
        conf["Policy"] = json.dumps({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": statements(arn)})
    return item(acct, "AWS::SNS::Topic", arn, region, conf, name=name, arn=arn, tags=tags)

def sns_owner_only(acct):
    """The default SNS topic statement: every principal, restricted to the owning account by condition."""
    return lambda arn: {"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
                   "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
        "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": acct}}}

def secret(acct, name, suffix, rotation_days=None, kms=None, created="2024-01-15T00:00:00Z", rotated=None, accessed=None, region="us-east-1", tags=None):
    # rotation_days=None: rotation off; kms=None: the AWS managed key aws/secretsmanager
    arn = f"arn:aws:secretsmanager:{region}:{acct}:secret:{name}-{suffix}"
    conf = {"ARN": arn, "Name": name, "RotationEnabled": rotation_days is not None}
    if rotation_days is not None: conf["RotationRules"] = {"AutomaticallyAfterDays": rotation_days}
    if kms: conf["KMSKeyId"] = kms
    conf["CreatedDate"] = created
    if rotated: conf["LastRotatedDate"] = rotated
    if accessed: conf["LastAccessedDate"] = accessed
    return item(acct, "AWS::SecretsManager::Secret", arn, region, conf, name=name, arn=arn, tags=tags)

def lambda_fn(acct, name, runtime="python3.12", package="Zip", vpc=None, dlq=None, kms=None, env=(), policy=None, region="us-east-1", tags=None):
    # vpc: None = no vpcConfig, () = empty lists, else (subnets, security groups); env: variable names (values never stored)
    arn = f"arn:aws:lambda:{region}:{acct}:function:{name}"
    conf = {"functionName": name, "functionArn": arn}
    if runtime: conf["runtime"] = runtime
    conf["packageType"] = package
    if vpc is not None: conf["vpcConfig"] = {"subnetIds": list(vpc[0]) if vpc else [], "securityGroupIds": list(vpc[1]) if vpc else []}
    if dlq: conf["deadLetterConfig"] = {"targetArn": dlq}
    if kms: conf["kmskeyArn"] = kms
    if env: conf["environment"] = {"variables": {v: "<redacted>" for v in env}}
    supp = {"Policy": json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": [dict(s, Resource=arn) for s in policy]})} if policy else None
    return item(acct, "AWS::Lambda::Function", name, region, conf, supp, arn=arn, tags=tags)

def ecr_repo(acct, name, scan=True, mutability="IMMUTABLE", lifecycle=True, policy=None, kms=None, region="us-east-1", tags=None):
    # kms=None: AES256 (ECR's default), else the KMS key ARN
    arn = f"arn:aws:ecr:{region}:{acct}:repository/{name}"
    rules = {"rules": [{"rulePriority": 1, "description": "Expire untagged images after 14 days",
             "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}]}
    conf = {"RepositoryName": name, "Arn": arn, "RepositoryUri": f"{acct}.dkr.ecr.{region}.amazonaws.com/{name}",
            "ImageScanningConfiguration": {"ScanOnPush": scan}, "ImageTagMutability": mutability,
            "LifecyclePolicy": {"LifecyclePolicyText": json.dumps(rules), "RegistryId": acct} if lifecycle else {},
            "RepositoryPolicyText": json.dumps({"Version": "2012-10-17", "Statement": policy}) if policy else {},
            "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": kms} if kms else {"EncryptionType": "AES256"}}
    return item(acct, "AWS::ECR::Repository", name, region, conf, arn=arn, tags=tags)

ECR_PULL = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability"]

ABSENT = object()

def elbv2_lb(acct, name, lb_id, attrs, lb_type="application", scheme="internet-facing", vpc_id=None, web_acl=ABSENT, region="us-east-1"):
    # attrs: LoadBalancerAttributes as {key: value}, every value a STRING as AWS Config records them
    # web_acl: our collector's supplementary WebACLArn (a web ACL ARN, or None: no web ACL); ABSENT leaves the key out
    arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/{ {'application': 'app', 'network': 'net', 'gateway': 'gwy'}[lb_type]}/{name}/{lb_id}"
    conf = {"loadBalancerArn": arn, "loadBalancerName": name, "dNSName": f"{'internal-' if scheme == 'internal' else ''}{name}-{int(lb_id[:8], 16)}.{region}.elb.amazonaws.com",
            "scheme": scheme, "type": lb_type, "vpcId": vpc_id}
    supp = {"LoadBalancerAttributes": [{"key": k, "value": v} for k, v in attrs.items()]}
    if web_acl is not ABSENT: supp["WebACLArn"] = web_acl
    return item(acct, "AWS::ElasticLoadBalancingV2::LoadBalancer", arn, region, conf, supp, name=name, arn=arn)

def elbv2_listener(lb, listener_id, port, protocol, ssl_policy=None, cert=None, redirect_https=False):
    # A listener is its own item, tied to its load balancer by LoadBalancerArn (the load balancer item's resourceId)
    lb_arn = lb["resourceId"]
    arn = lb_arn.replace(":loadbalancer/", ":listener/") + "/" + listener_id
    conf = {"ListenerArn": arn, "LoadBalancerArn": lb_arn, "Port": port, "Protocol": protocol}
    if ssl_policy: conf["SslPolicy"] = ssl_policy
    conf["Certificates"] = [{"CertificateArn": cert}] if cert else []
    conf["DefaultActions"] = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}] if redirect_https else [{"Type": "forward"}]
    return item(lb["accountId"], "AWS::ElasticLoadBalancingV2::Listener", arn, lb["awsRegion"], conf, arn=arn)

def classic_elb(acct, name, dns_id, listeners, access_log=False, desync=None, scheme="internet-facing", vpc_id=None, cross_zone=True, draining=True,
                region="us-east-1"):
    # listeners: (protocol, port, instance protocol, instance port, certificate ARN or None); desync=None: the attribute absent (AWS's default, defensive)
    conf = {"loadBalancerName": name, "dnsname": f"{'internal-' if scheme == 'internal' else ''}{name}-{dns_id}.{region}.elb.amazonaws.com", "scheme": scheme, "vpcid": vpc_id,
            "listenerDescriptions": [{"listener": dict({"protocol": p, "loadBalancerPort": port, "instanceProtocol": ip, "instancePort": iport}, **({"sslcertificateId": cert} if cert else {})),
                                      "policyNames": ["ELBSecurityPolicy-TLS-1-2-2017-01"] if cert else []} for p, port, ip, iport, cert in listeners]}
    supp = {"LoadBalancerAttributes": {"accessLog": {"enabled": access_log}, "connectionDraining": {"enabled": draining, "timeout": 300},
            "crossZoneLoadBalancing": {"enabled": cross_zone}, "additionalAttributes": [{"key": "elb.http.desyncmitigationmode", "value": desync}] if desync else []}}
    return item(acct, "AWS::ElasticLoadBalancing::LoadBalancer", name, region, conf, supp, name=name,
                arn=f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/{name}")

def acm_cert(acct, domain, cid, not_after, kind="AMAZON_ISSUED", key="RSA-2048", status="ISSUED", transparency=True, in_use=(), region="us-east-1"):
    arn = f"arn:aws:acm:{region}:{acct}:certificate/{cid}"
    conf = {"certificateArn": arn, "domainName": domain, "status": status, "type": kind, "keyAlgorithm": key, "notAfter": not_after,
            "inUseBy": list(in_use), "options": {"certificateTransparencyLoggingPreference": "ENABLED" if transparency else "DISABLED"}}
    return item(acct, "AWS::ACM::Certificate", arn, region, conf, name=domain, arn=arn)

def redshift(acct, cid, namespace, kms=None, public=False, retention=7, enhanced_routing=True, upgrades=True, audit_bucket=None, vpc_id=None, region="us-east-1"):
    # kms=None: not encrypted; audit_bucket=None: audit logging off
    arn = f"arn:aws:redshift:{region}:{acct}:namespace:{namespace}"
    conf = {"clusterIdentifier": cid, "encrypted": kms is not None}
    if kms: conf["kmsKeyId"] = kms
    conf.update({"publiclyAccessible": public, "automatedSnapshotRetentionPeriod": retention, "enhancedVpcRouting": enhanced_routing,
                 "allowVersionUpgrade": upgrades, "vpcId": vpc_id})
    supp = {"LoggingStatus": {"loggingEnabled": True, "bucketName": audit_bucket, "logDestinationType": "s3"} if audit_bucket else {"loggingEnabled": False}}
    return item(acct, "AWS::Redshift::Cluster", cid, region, conf, supp, name=cid, arn=arn)

def opensearch(acct, name, kms=None, node_to_node=True, https=True, tls="Policy-Min-TLS-1-2-2019-07", vpc=None, audit_group=None, fine_grained=True,
               version="OpenSearch_2.11", region="us-east-1"):
    # kms=None: no encryption at rest; vpc=None: public endpoint (no VPCOptions), else (subnets, security groups); audit_group=None: no audit logs
    arn = f"arn:aws:es:{region}:{acct}:domain/{name}"
    conf = {"DomainName": name, "Arn": arn, "EngineVersion": version,
            "EncryptionAtRestOptions": {"Enabled": True, "KmsKeyId": kms} if kms else {"Enabled": False},
            "NodeToNodeEncryptionOptions": {"Enabled": node_to_node},
            "DomainEndpointOptions": {"EnforceHTTPS": https, "TLSSecurityPolicy": tls}}
    if vpc: conf["VPCOptions"] = {"SubnetIds": list(vpc[0]), "SecurityGroupIds": list(vpc[1])}
    conf["LogPublishingOptions"] = {"AUDIT_LOGS": {"Enabled": True, "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{region}:{acct}:log-group:{audit_group}"}} if audit_group else {}
    conf["AdvancedSecurityOptions"] = {"Enabled": fine_grained, "InternalUserDatabaseEnabled": False, "AnonymousAuthEnabled": False}
    return item(acct, "AWS::OpenSearch::Domain", name, region, conf, name=name, arn=arn)

EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

def eks(acct, name, version, public=False, private=True, cidrs=("0.0.0.0/0",), logs=EKS_LOG_TYPES, secrets_key=None, region="us-east-1"):
    # cidrs: what EKS reports (0.0.0.0/0 even when the public endpoint is off); secrets_key=None: no envelope encryption of secrets
    arn = f"arn:aws:eks:{region}:{acct}:cluster/{name}"
    conf = {"Name": name, "Arn": arn, "Version": version,
            "ResourcesVpcConfig": {"EndpointPublicAccess": public, "EndpointPrivateAccess": private, "PublicAccessCidrs": list(cidrs)},
            "Logging": {"ClusterLogging": {"EnabledTypes": [{"Type": t} for t in logs]}},
            "EncryptionConfig": [{"Resources": ["secrets"], "Provider": {"KeyArn": secrets_key}}] if secrets_key else []}
    return item(acct, "AWS::EKS::Cluster", name, region, conf, name=name, arn=arn)

def wrapped(items):
    """A CloudFront list as Config records it: no "items" when empty."""
    return {"quantity": len(items), "items": list(items)} if items else {"quantity": 0}

def s3_origin(bucket_name, oac="", oai=""):
    return {"id": f"s3-{bucket_name}", "domainName": f"{bucket_name}.s3.amazonaws.com", "s3OriginConfig": {"originAccessIdentity": oai}, "originAccessControlId": oac}

def custom_origin(origin_id, domain, protocol="https-only"):
    return {"id": origin_id, "domainName": domain, "customOriginConfig": {"originProtocolPolicy": protocol}, "originAccessControlId": ""}

def distribution(acct, did, domain, viewer_policy, origins, behaviors=(), default_cert=False, min_tls="TLSv1.2_2021", log_bucket=None, waf=""):
    # behaviors: (path pattern, viewer protocol policy); the default CloudFront certificate only allows TLSv1
    arn = f"arn:aws:cloudfront::{acct}:distribution/{did}"
    conf = {"domainName": domain, "distributionConfig": {
        "defaultCacheBehavior": {"viewerProtocolPolicy": viewer_policy},
        "cacheBehaviors": wrapped([{"pathPattern": p, "viewerProtocolPolicy": v} for p, v in behaviors]),
        "viewerCertificate": {"cloudFrontDefaultCertificate": default_cert, "minimumProtocolVersion": "TLSv1" if default_cert else min_tls},
        "origins": wrapped(origins),
        "logging": {"enabled": True, "bucket": f"{log_bucket}.s3.amazonaws.com"} if log_bucket else {"enabled": False, "bucket": ""},
        "webACLId": waf}}
    return item(acct, "AWS::CloudFront::Distribution", did, "global", conf, name=domain, arn=arn)

def container(name, image, privileged=None, readonly=None, user=None, env=(), secrets=(), log_group=None, region="us-east-1"):
    # None: the key absent (false / root); env: variable names (values never stored); secrets: (name, Secrets Manager or SSM ARN)
    # log_group: the awslogs log group of its LogConfiguration (None: no LogConfiguration)
    c = {"Name": name, "Image": image}
    if privileged is not None: c["Privileged"] = privileged
    if readonly is not None: c["ReadonlyRootFilesystem"] = readonly
    if user is not None: c["User"] = user
    c["Environment"] = [{"Name": v, "Value": "<redacted>"} for v in env]
    c["Secrets"] = [{"Name": n, "ValueFrom": f} for n, f in secrets]
    if log_group:
        c["LogConfiguration"] = {"LogDriver": "awslogs", "Options": {"awslogs-group": log_group, "awslogs-region": region, "awslogs-stream-prefix": name}}
    return c

def task_definition(acct, family, revision, containers, network="awsvpc", region="us-east-1"):
    arn = f"arn:aws:ecs:{region}:{acct}:task-definition/{family}:{revision}"
    conf = {"TaskDefinitionArn": arn, "Family": family, "Revision": revision, "NetworkMode": network, "ContainerDefinitions": containers}
    return item(acct, "AWS::ECS::TaskDefinition", arn, region, conf, name=f"{family}:{revision}", arn=arn)

def image(acct, iid, name, public=False, region="us-east-1"):
    # Our own SecureBase::EC2::Image: only the account's own AMIs
    return item(acct, "SecureBase::EC2::Image", iid, region, {"imageId": iid, "name": name, "public": public, "ownerId": acct, "state": "available"},
                name=name, arn=f"arn:aws:ec2:{region}::image/{iid}")

def launch_template(acct, tid, name, version, tokens="required", public_ip=None, region="us-east-1"):
    # The default version's data; public_ip=None: no network interface in the template (the subnet decides)
    data = {"MetadataOptions": {"HttpTokens": tokens, "HttpEndpoint": "enabled"},
            "NetworkInterfaces": [{"AssociatePublicIpAddress": public_ip, "DeviceIndex": 0}] if public_ip is not None else []}
    return item(acct, "AWS::EC2::LaunchTemplate", tid, region, {"LaunchTemplateId": tid, "LaunchTemplateName": name, "DefaultVersionNumber": version,
                "LaunchTemplateData": data}, name=name, arn=f"arn:aws:ec2:{region}:{acct}:launch-template/{tid}")

def launch_config(acct, name, uid, public_ip=None, tokens="optional", region="us-east-1"):
    # public_ip=None: associatePublicIpAddress absent (the subnet decides)
    conf = {"launchConfigurationName": name, "imageId": "ami-0abcdef1234567890", "instanceType": "m6i.large"}
    if public_ip is not None: conf["associatePublicIpAddress"] = public_ip
    conf["metadataOptions"] = {"httpTokens": tokens, "httpEndpoint": "enabled"}
    return item(acct, "AWS::AutoScaling::LaunchConfiguration", name, region, conf, name=name,
                arn=f"arn:aws:autoscaling:{region}:{acct}:launchConfiguration:{uid}:launchConfigurationName/{name}")

def asg(acct, name, uid, zones, launch_config_name=None, template=None, health="EC2", elbs=(), target_groups=(), region="us-east-1"):
    # template: (launch template id, name, version), when the group does not use a launch configuration
    arn = f"arn:aws:autoscaling:{region}:{acct}:autoScalingGroup:{uid}:autoScalingGroupName/{name}"
    conf = {"autoScalingGroupName": name, "autoScalingGroupARN": arn}
    if launch_config_name: conf["launchConfigurationName"] = launch_config_name
    if template: conf["launchTemplate"] = dict(zip(["launchTemplateId", "launchTemplateName", "version"], template))
    conf.update({"availabilityZones": [region + z for z in zones], "healthCheckType": health, "loadBalancerNames": list(elbs), "targetGroupARNs": list(target_groups)})
    return item(acct, "AWS::AutoScaling::AutoScalingGroup", name, region, conf, name=name, arn=arn)

def api_stage(acct, api_id, api_name, stage, deployment, cert=None, tracing=False, web_acl=None, cache=False, settings=None, region="us-east-1"):
    # settings: methodSettings ({} when none), e.g. {"*/*": {...}}
    conf = {"stageName": stage, "restApiId": api_id, "restApiName": api_name, "deploymentId": deployment}
    if cert: conf["clientCertificateId"] = cert
    conf["tracingEnabled"] = tracing
    if web_acl: conf["webAclArn"] = web_acl
    conf["cacheClusterEnabled"] = cache
    conf["methodSettings"] = settings or {}
    return item(acct, "AWS::ApiGateway::Stage", f"{api_id}/{stage}", region, conf, name=f"{api_name}/{stage}",
                arn=f"arn:aws:apigateway:{region}::/restapis/{api_id}/stages/{stage}")

def rest_api(acct, api_id, name, methods, authorizers=(), region="us-east-1"):
    # methods: (resourcePath, httpMethod, authorizationType); authorizers: (id, name, type)
    conf = {"id": api_id, "name": name, "endpointConfiguration": {"types": ["REGIONAL"]}}
    supp = {"Authorizers": [{"id": i, "name": n, "type": t} for i, n, t in authorizers],
            "Methods": [{"resourcePath": p, "httpMethod": v, "authorizationType": a, "authorizerId": None, "apiKeyRequired": False} for p, v, a in methods]}
    return item(acct, "AWS::ApiGateway::RestApi", api_id, region, conf, supp, name=name, arn=f"arn:aws:apigateway:{region}::/restapis/{api_id}")

def http_api(acct, api_id, name, routes, protocol="HTTP", region="us-east-1"):
    # routes: (routeKey, authorizationType)
    conf = {"apiId": api_id, "name": name, "protocolType": protocol, "apiEndpoint": f"https://{api_id}.execute-api.{region}.amazonaws.com",
            "disableExecuteApiEndpoint": False}
    supp = {"Routes": [{"routeKey": k, "authorizationType": a, "authorizerId": None, "apiKeyRequired": False} for k, a in routes]}
    return item(acct, "AWS::ApiGatewayV2::Api", api_id, region, conf, supp, name=name, arn=f"arn:aws:apigateway:{region}::/apis/{api_id}")

def http_api_stage(acct, api_id, api_name, stage, log_group=None, region="us-east-1"):
    logs = {"destinationArn": f"arn:aws:logs:{region}:{acct}:log-group:{log_group}", "format": "$context.requestId $context.identity.sourceIp $context.routeKey $context.status"} if log_group else None
    conf = {"stageName": stage, "apiId": api_id, "apiName": api_name, "autoDeploy": True, "accessLogSettings": logs}
    return item(acct, "AWS::ApiGatewayV2::Stage", f"{api_id}/{stage}", region, conf, name=f"{api_name}/{stage}",
                arn=f"arn:aws:apigateway:{region}::/apis/{api_id}/stages/{stage}")

def log_group(acct, name, days=None, kms=None, region="us-east-1"):
    # days=None: never expire; kms: the key's ARN
    arn = f"arn:aws:logs:{region}:{acct}:log-group:{name}"
    conf = {"logGroupName": name, "logGroupArn": arn, "retentionInDays": days, "kmsKeyId": kms, "creationTime": 1735689600000}
    return item(acct, "AWS::Logs::LogGroup", name, region, conf, name=name, arn=arn)

def method_setting(level="OFF", metrics=False, caching=False, encrypted=False):
    return {"loggingLevel": level, "metricsEnabled": metrics, "dataTraceEnabled": False, "cachingEnabled": caching, "cacheDataEncrypted": encrypted}

def backup_vault(acct, name, key, locked=False, min_days=None, points=0, region="us-east-1"):
    arn = f"arn:aws:backup:{region}:{acct}:backup-vault:{name}"
    conf = {"BackupVaultName": name, "BackupVaultArn": arn, "EncryptionKeyArn": key, "Locked": locked}
    if min_days is not None: conf["MinRetentionDays"] = min_days
    conf["NumberOfRecoveryPoints"] = points
    return item(acct, "AWS::Backup::BackupVault", name, region, conf, name=name, arn=arn)

def backup_plan(acct, pid, name, region="us-east-1"):
    arn = f"arn:aws:backup:{region}:{acct}:backup-plan:{pid}"
    return item(acct, "AWS::Backup::BackupPlan", pid, region, {"BackupPlanId": pid, "BackupPlanName": name, "BackupPlanArn": arn}, name=name, arn=arn)

def replication_group(acct, gid, description, at_rest=True, transit=True, auth=True, failover="enabled", multi_az="enabled", retention=7, kms=None,
                      engine="redis", region="us-east-1"):
    conf = {"replicationGroupId": gid, "description": description, "atRestEncryptionEnabled": at_rest, "transitEncryptionEnabled": transit,
            "authTokenEnabled": auth, "automaticFailover": failover, "multiAZ": multi_az, "snapshotRetentionLimit": retention}
    if kms: conf["kmsKeyId"] = kms
    conf["engine"] = engine
    return item(acct, "AWS::ElastiCache::ReplicationGroup", gid, region, conf, name=gid, arn=f"arn:aws:elasticache:{region}:{acct}:replicationgroup:{gid}")

def macie(acct, region, status="ENABLED"):
    return item(acct, "SecureBase::Macie::Session", region, region, {"status": status})

def inspector(acct, region, status="ENABLED", ec2="ENABLED", ecr="ENABLED", lambda_="ENABLED"):
    return item(acct, "SecureBase::Inspector2::Account", region, region, {"status": status, "resourceState": {"ec2": ec2, "ecr": ecr, "lambda": lambda_}})

def security_contact(acct, registered):
    # Only whether AWS has a SECURITY alternate contact: never its name, email or phone
    return item(acct, "SecureBase::Account::SecurityContact", acct, "global", {"registered": registered})

ORG = "o-acmehealth01"
ORG_MANAGEMENT = "333333333333"

# Acme's organization: the management account under the root, production in the
# Workloads OU (staging is a standalone account of its own)
ORG_TREE = [{"id": "333333333333", "name": "acme-health-security", "status": "ACTIVE", "parents": ["r-ac01"]},
            {"id": "111111111111", "name": "acme-health-production", "status": "ACTIVE", "parents": ["ou-ac01-workload", "r-ac01"]}]

def organization(acct, scps=None):
    # acct's place in Acme's organization; scps: the organization's service control
    # policies, readable in the management account only, as is the organization's tree
    mgmt = acct == ORG_MANAGEMENT
    conf = {"inOrganization": True, "id": ORG, "arn": f"arn:aws:organizations::{ORG_MANAGEMENT}:organization/{ORG}", "featureSet": "ALL",
            "managementAccountId": ORG_MANAGEMENT, "isManagementAccount": mgmt}
    return item(acct, "SecureBase::Organizations::Organization", ORG, "global", conf,
                supp={"ServiceControlPolicies": scps, "Accounts": ORG_TREE} if mgmt else None, name=ORG, arn=conf["arn"])

def standalone(acct):
    return item(acct, "SecureBase::Organizations::Organization", acct, "global", {"inOrganization": False})

def scp(pid, name, statements, targets, aws_managed=False):
    return {"id": pid, "name": name, "awsManaged": aws_managed, "content": {"Version": "2012-10-17", "Statement": statements},
            "targets": [{"targetId": t, "type": "ROOT" if t.startswith("r-") else "ORGANIZATIONAL_UNIT", "name": n} for t, n in targets]}

def ssm_managed(acct, iid, ping="Online", platform="Linux", agent="3.3.1142.0", region="us-east-1"):
    return item(acct, "SecureBase::SSM::ManagedInstance", iid, region, {"instanceId": iid, "pingStatus": ping, "platformType": platform, "agentVersion": agent},
                name=iid)

def ssm_document(acct, name, doc_type, shared_with=(), region="us-east-1"):
    # shared_with: account ids, or ["all"] for a public document
    return item(acct, "SecureBase::SSM::Document", name, region, {"name": name, "documentType": doc_type, "accountIds": list(shared_with)}, name=name)

def session_preferences(acct, region, s3_bucket="", log_group="", kms=""):
    conf = {"s3BucketName": s3_bucket, "s3EncryptionEnabled": bool(s3_bucket), "cloudWatchLogGroupName": log_group,
            "cloudWatchEncryptionEnabled": bool(log_group and kms), "kmsKeyId": kms}
    return item(acct, "SecureBase::SSM::SessionManagerPreferences", region, region, conf, name="SSM-SessionManagerRunShell")

ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ_BILLING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["aws-portal:ViewBilling", "ce:Get*"], "Resource": "*"}]}


# The CIS 4.x metric filter patterns, by metric name (the security account runs them all).
CIS_FILTERS = {
    "UnauthorizedAPICalls": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    "ConsoleSigninWithoutMFA": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    "RootUsage": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    "IAMPolicyChanges": '{ ($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy) }',
    "CloudTrailChanges": '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }',
    "ConsoleAuthFailures": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "DisableOrDeleteCMK": '{ ($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }',
    "S3BucketPolicyChanges": '{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }',
    "AWSConfigChanges": '{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }',
    "SecurityGroupChanges": '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }',
    "NACLChanges": '{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }',
    "NetworkGatewayChanges": '{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }',
    "RouteTableChanges": '{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }',
    "VPCChanges": '{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }',
    "OrganizationsChanges": '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
}

def monitoring(acct, group_name, metrics):
    out = []
    for m in metrics:
        out.append(metric_filter(acct, group_name, m, CIS_FILTERS[m], m))
        out.append(alarm(acct, f"cis-{m}", m))
    return out

def account(acct, name, items):
    # SSM's list of managed instances was read in every enabled region (as the collector
    # records it), so an instance missing from it is unmanaged.
    for region in [i["resourceId"] for i in items if i["resourceType"] == "SecureBase::Account::Region"]:
        count = sum(1 for i in items if i["resourceType"] == "SecureBase::SSM::ManagedInstance" and i["awsRegion"] == region)
        items.append(item(acct, "SecureBase::SSM::ManagedInstanceList", region, region, {"count": count}))
    doc = {"schema": "securebase.inventory/v1", "accountId": acct, "accountName": name, "capturedAt": CAP, "configurationItems": items}
    slug = name.split("-")[-1]
    with open(f"acme-health/{acct}-{slug}.json", "w") as f:
        json.dump(doc, f, indent=2); f.write("\n")


def main():
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    P = "111111111111"
    portal_cert = f"arn:aws:acm:us-east-1:{P}:certificate/3f1c2a9e-7b4d-4e21-9a6f-0c5d8e2b1a47"
    hl7_cert = f"arn:aws:acm:us-east-1:{P}:certificate/b84d0e17-2c5a-4f3e-8d91-6a7c5e4f3b20"
    portal_alb = elbv2_lb(P, "patient-portal-alb", "50dc6c495c0c9188", vpc_id="vpc-0a11prod", attrs={
        "access_logs.s3.enabled": "true", "access_logs.s3.bucket": "acme-prod-access-logs", "access_logs.s3.prefix": "alb/patient-portal",
        "deletion_protection.enabled": "true", "routing.http.desync_mitigation_mode": "defensive", "routing.http.drop_invalid_header_fields.enabled": "true"},
        web_acl=f"arn:aws:wafv2:us-east-1:{P}:regional/webacl/patient-portal-alb-waf/3c5e7a9b-2d4f-4a6c-8e0b-1f3a5c7e9d2b")
    portal_cdn = "E2PORTAL7X3K9Q"
    account(P, "acme-health-production", [
        bucket(P, "acme-prod-phi-records", policy=tls_policy("acme-prod-phi-records"), logging_to="acme-prod-access-logs", tags={"data-class": "phi"}),
        bucket(P, "acme-prod-app-assets", sse="AES256", versioning="Suspended", pab=(True, True, False, False)),
        bucket(P, "acme-prod-access-logs", sse="AES256", policy=tls_policy("acme-prod-access-logs")),
        bucket(P, "acme-prod-analytics-exports", region="us-west-2", sse=None, versioning="Off", pab=None, logging_to="acme-prod-access-logs"),
        account_pab(P),
        vpc(P, "vpc-0a11prod", "10.10.0.0/16"), vpc(P, "vpc-0b22prodwest", "10.20.0.0/16", region="us-west-2"),
        flow_log(P, "fl-0a11prod", "vpc-0a11prod"),
        sg(P, "sg-0a1default", "default", "vpc-0a11prod", []),
        sg(P, "sg-0a2web", "web-alb", "vpc-0a11prod", [perm("tcp", 443, 443, v4=["0.0.0.0/0"], v6=["::/0"]), perm("tcp", 22, 22, v4=["10.0.0.0/8"])]),
        sg(P, "sg-0a3bastion", "bastion", "vpc-0a11prod", [perm("tcp", 22, 22, v4=["0.0.0.0/0"])]),
        ebs_default(P, "us-east-1", True), ebs_default(P, "us-west-2", False),
        instance(P, "i-0a1b2c3d4e5f00001", "required", name="ehr-api-1", profile="ehr-api-instance", monitoring="enabled"),
        instance(P, "i-0a1b2c3d4e5f00002", "optional", name="legacy-batch", public_ip="54.172.38.205", monitoring="disabled"),
        volume(P, "vol-0a1000000000001", True, instance="i-0a1b2c3d4e5f00001"), volume(P, "vol-0a1000000000002", True, instance="i-0a1b2c3d4e5f00002"),
        volume(P, "vol-0a1000000000003", False, region="us-west-2"),
        password_policy(P, minimumPasswordLength=14, requireSymbols=True, requireNumbers=True, requireUppercaseCharacters=True,
                        requireLowercaseCharacters=True, allowUsersToChangePassword=True, expirePasswords=True, maxPasswordAge=90, passwordReusePrevention=24),
        summary(P, 1, 0),
        cred(P, "<root_account>", False, True), cred(P, "alice", True, True, key1=True, key1_rotated="2026-10-02T10:00:00+00:00"),
        cred(P, "bob", True, False, key1=True, key1_rotated="2026-04-15T10:00:00+00:00"), cred(P, "ci-deploy", False, False, key1=True, key1_rotated="2026-09-20T10:00:00+00:00"),
        policy(P, "AcmeReadOnlyBilling", READ_BILLING), policy(P, "AcmeBreakGlassAdmin", ADMIN),
        user(P, "alice", groups=["engineers"]), user(P, "bob", managed=["AmazonS3FullAccess"], groups=["engineers"]), user(P, "ci-deploy", inline=["deploy-artifacts"]),
        account_item(P, "acme-health-production"), region_item(P, "us-east-1"), region_item(P, "us-west-2"),
        role(P, "acme-support", managed=["AWSSupportAccess"]), role(P, "ehr-api-instance", managed=["AmazonSSMManagedInstanceCore"]),
        analyzer(P, "acme-prod-analyzer"),
        nacl(P, "acl-0a11prod", "vpc-0a11prod", [nacl_entry(90, "deny", (22, 22)), nacl_entry(91, "deny", (3389, 3389)), nacl_entry(100, "allow", (0, 65535))]),
        snapshot(P, "snap-0a1000000000001"),
        trail(P, "acme-org-trail", "acme-security-cloudtrail", cw_group="CloudTrail/acme-org", data_events="WriteOnly"),
        log_group(P, "CloudTrail/acme-org", 400, kms=key_arn(P, "1a2b3c4d-prod-phi")),
        log_group(P, "/aws/lambda/appointment-reminder-sender", 30, kms=key_arn(P, "1a2b3c4d-prod-phi")),
        log_group(P, "/aws/apigateway/patient-portal-access", kms=key_arn(P, "1a2b3c4d-prod-phi")),
        *monitoring(P, "CloudTrail/acme-org", ["UnauthorizedAPICalls", "RootUsage", "ConsoleSigninWithoutMFA", "IAMPolicyChanges", "CloudTrailChanges"]),
        recorder(P, "us-east-1"),
        kms_key(P, "1a2b3c4d-prod-phi"), kms_key(P, "5e6f7a8b-prod-legacy", rotation=False), kms_key(P, "aws-ebs-default", manager="AWS", rotation=False),
        rds(P, "ehr-primary", iam_auth=True, monitoring=60, log_exports=["postgresql", "upgrade"], copy_tags=True),
        rds(P, "analytics-replica", encrypted=False, backup=0, deletion=False, iam_auth=False),
        rds_snapshot(P, "ehr-primary-pre-migration"),
        detector(P, "us-east-1"), hub(P, "us-east-1"),
        efs(P, "fs-0a1shared"),
        server_cert(P, "portal-acme-health-2025", "2025-12-31T23:59:59Z"), server_cert(P, "portal-acme-health-2026", "2027-01-31T23:59:59Z"),
        dynamodb_table(P, "patient-sessions", sse=key_arn(P, "1a2b3c4d-prod-phi"), tags={"data-class": "phi"}),
        dynamodb_table(P, "appointment-reminders", sse=key_arn(P, "3c9d4e5f-aws-dynamodb"), deletion=False),
        sqs_queue(P, "claims-intake", kms=key_arn(P, "1a2b3c4d-prod-phi"), tags={"data-class": "phi"}, statements=lambda arn: [
            {"Sid": "ClaimsApiSend", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{P}:role/claims-api-task"}, "Action": "sqs:SendMessage", "Resource": arn},
            tls_only("sqs", arn)]),
        sqs_queue(P, "claims-processor-dlq", sqs_managed=True),
        sns_topic(P, "security-alerts", kms="alias/aws/sns", statements=lambda arn: [sns_owner_only(P)(arn)]),
        secret(P, "prod/rds/master", "Q7mZ2k", rotation_days=30, kms=key_arn(P, "1a2b3c4d-prod-phi"), created="2024-03-01T00:00:00Z",
               rotated="2026-10-15T04:00:00Z", accessed="2026-10-31T00:00:00Z"),
        secret(P, "prod/clearinghouse/api-key", "h3Xr9P", created="2025-06-10T14:20:00Z", accessed="2026-10-30T00:00:00Z"),
        lambda_fn(P, "claims-processor", vpc=(["subnet-0a11priv1", "subnet-0a11priv2"], ["sg-0a5claims"]),
                  dlq=f"arn:aws:sqs:us-east-1:{P}:claims-processor-dlq", kms=key_arn(P, "1a2b3c4d-prod-phi"), env=["CLAIMS_TABLE", "DB_SECRET_ARN"]),
        ecr_repo(P, "claims-api"),
        ecr_repo(P, "fhir-gateway", mutability="MUTABLE", policy=[{"Sid": "StagingPull", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": ECR_PULL}]),
        portal_alb,
        elbv2_listener(portal_alb, "f2f7dc8efc522ab2", 80, "HTTP", redirect_https=True),
        elbv2_listener(portal_alb, "9d1e4c7a0b3f5e68", 443, "HTTPS", ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06", cert=portal_cert),
        classic_elb(P, "hl7-interface-elb", 1284467390, [("HTTPS", 443, "HTTPS", 8443, hl7_cert)], access_log=True, desync="defensive",
                    scheme="internal", vpc_id="vpc-0a11prod"),
        acm_cert(P, "portal.acmehealth.example", portal_cert.rsplit("/", 1)[1], "2027-03-14T23:59:59Z",
                 in_use=[portal_alb["arn"], f"arn:aws:cloudfront::{P}:distribution/{portal_cdn}"]),
        acm_cert(P, "hl7.acmehealth.example", hl7_cert.rsplit("/", 1)[1], "2026-11-18T23:59:59Z", kind="IMPORTED", transparency=False,
                 in_use=[f"arn:aws:elasticloadbalancing:us-east-1:{P}:loadbalancer/hl7-interface-elb"]),
        redshift(P, "analytics-warehouse", "5c1e8a2f-3d7b-4f90-8e64-a1b2c3d4e5f6", kms=key_arn(P, "1a2b3c4d-prod-phi"), audit_bucket="acme-prod-access-logs",
                 vpc_id="vpc-0a11prod"),
        eks(P, "claims-platform", "1.34", secrets_key=key_arn(P, "1a2b3c4d-prod-phi")),
        distribution(P, portal_cdn, "d3k9portal7x3q.cloudfront.net", "redirect-to-https",
                     [s3_origin("acme-prod-app-assets", oac="E1PORTALOAC2QX"), custom_origin("patient-portal-alb", portal_alb["configuration"]["dNSName"])],
                     behaviors=[("/api/*", "https-only")], log_bucket="acme-prod-access-logs",
                     waf=f"arn:aws:wafv2:us-east-1:{P}:global/webacl/patient-portal-waf/8e2f4a6c-1b3d-4e5f-9a7b-0c1d2e3f4a5b"),
        task_definition(P, "claims-worker", 12, [container("claims-worker", f"{P}.dkr.ecr.us-east-1.amazonaws.com/claims-api:2026.10.3", privileged=False,
                        readonly=True, user="1000", env=["CLAIMS_QUEUE_URL", "LOG_LEVEL"],
                        secrets=[("DB_PASSWORD", f"arn:aws:secretsmanager:us-east-1:{P}:secret:prod/rds/master-Q7mZ2k"),
                                 ("CLEARINGHOUSE_API_KEY", f"arn:aws:secretsmanager:us-east-1:{P}:secret:prod/clearinghouse/api-key-h3Xr9P")],
                        log_group="/ecs/claims-worker")]),
        lambda_fn(P, "appointment-reminder-sender", vpc=(["subnet-0a11priv1", "subnet-0a11priv2"], ["sg-0a6reminders"]), kms=key_arn(P, "1a2b3c4d-prod-phi"),
                  env=["REMINDERS_TABLE", "REMINDER_TOPIC_ARN", "LOG_LEVEL"]),
        # Round three: AMIs, launch templates, Auto Scaling, API Gateway, AWS Backup, ElastiCache, Systems Manager, Macie, Inspector
        image(P, "ami-0a1e7c2d3b4f50001", "acme-ehr-api-2026.10.3"),
        launch_template(P, "lt-0a1b2c3d4e5f60001", "ehr-api", 4, public_ip=False),
        launch_config(P, "hl7-interface-lc-v3", "4f2a6c8e-1b3d-4e5f-a7b9-0c2d4e6f8a1b", public_ip=False, tokens="required"),
        asg(P, "hl7-interface-asg", "9b1d3f5a-7c2e-4a6b-8d0f-2e4a6c8b0d1f", ["a", "b"], launch_config_name="hl7-interface-lc-v3", health="ELB",
            elbs=["hl7-interface-elb"]),
        api_stage(P, "k7m2q9x4p1", "claims-api", "prod", "d8f3k2", cert="cl9x2k4m7q", tracing=True,
                  web_acl=f"arn:aws:wafv2:us-east-1:{P}:regional/webacl/claims-api-waf/6a8c0e2f-4b6d-4f8a-9c1e-3b5d7f9a1c3e", cache=True,
                  settings={"*/*": method_setting("INFO", metrics=True, caching=True, encrypted=True)}),
        rest_api(P, "k7m2q9x4p1", "claims-api", [("/claims", "GET", "AWS_IAM"), ("/claims", "POST", "AWS_IAM"), ("/claims", "OPTIONS", "NONE")]),
        http_api(P, "r4t6y8u0i2", "patient-portal-api", [("GET /appointments", "JWT"), ("POST /appointments", "JWT"), ("OPTIONS /appointments", "NONE")]),
        http_api_stage(P, "r4t6y8u0i2", "patient-portal-api", "$default", log_group="/aws/apigateway/patient-portal-access"),
        backup_plan(P, "2c4e6a8b-0d1f-4b3d-9e5f-7a9c1e3b5d7f", "acme-prod-daily"),
        backup_vault(P, "acme-prod-vault", key_arn(P, "1a2b3c4d-prod-phi"), locked=True, min_days=35, points=412),
        backup_vault(P, "Default", key_arn(P, "4d6f8a0c-aws-backup"), points=18),
        replication_group(P, "patient-sessions", "Patient portal sessions", kms=key_arn(P, "1a2b3c4d-prod-phi")),
        rds_snapshot(P, "analytics-replica-2026-10-01", encrypted=False),
        ecr_repo(P, "hl7-translator", kms=key_arn(P, "1a2b3c4d-prod-phi")),
        kms_key(P, "7d8e9f0a-prod-retired", state="PendingDeletion", rotation=False),
        ssm_managed(P, "i-0a1b2c3d4e5f00001"),
        ssm_document(P, "AcmeHl7RotateLogs", "Command"),
        session_preferences(P, "us-east-1", s3_bucket="acme-prod-access-logs"),
        macie(P, "us-east-1"),
        inspector(P, "us-east-1"), inspector(P, "us-west-2", status="DISABLED", ec2="DISABLED", ecr="DISABLED", lambda_="DISABLED"),
        security_contact(P, True),
        organization(P),
    ])

    S = "222222222222"
    staging_cert = f"arn:aws:acm:us-east-1:{S}:certificate/d2e6a4c8-91b3-4d7f-a5e0-3c8b1f6d9e42"
    staging_alb = elbv2_lb(S, "staging-portal-alb", "7a2c9e0f4b6d1835", vpc_id="vpc-0c33staging", attrs={
        "access_logs.s3.enabled": "false", "deletion_protection.enabled": "false",
        "routing.http.desync_mitigation_mode": "monitor", "routing.http.drop_invalid_header_fields.enabled": "false"}, web_acl=None)
    account(S, "acme-health-staging", [
        bucket(S, "acme-staging-app-assets", sse=None, versioning="Off", pab=(False,) * 4),
        bucket(S, "acme-staging-test-data", sse="AES256", versioning="Enabled", policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-staging-test-data/*"}]})),
        account_pab(S, (True, True, False, False)),
        vpc(S, "vpc-0c33staging", "10.30.0.0/16"),
        sg(S, "sg-0c1default", "default", "vpc-0c33staging", [perm("-1", None, None, groups=["sg-0c1default"])]),
        sg(S, "sg-0c2windows", "windows-jump", "vpc-0c33staging", [perm("tcp", 3000, 3500, v6=["::/0"])]),
        sg(S, "sg-0c3anything", "debug-anything", "vpc-0c33staging", [perm("-1", None, None, v4=["0.0.0.0/0"])]),
        flow_log(S, "fl-0c33staging", "vpc-0c33staging"),
        ebs_default(S, "us-east-1", True),
        instance(S, "i-0c1b2c3d4e5f00001", "required", name="staging-api", profile="qa-instance", monitoring="disabled"),
        volume(S, "vol-0c1000000000001", True, instance="i-0c1b2c3d4e5f00001"),
        password_policy(S, minimumPasswordLength=14, requireSymbols=True, requireNumbers=True, requireUppercaseCharacters=True,
                        requireLowercaseCharacters=True, allowUsersToChangePassword=True, expirePasswords=True, maxPasswordAge=90, passwordReusePrevention=24),
        summary(S, 0, 1),
        cred(S, "<root_account>", False, False, key1=True, key1_rotated="2024-02-01T10:00:00+00:00"),
        cred(S, "qa-runner", False, False, key1=True, key1_rotated="2025-12-01T10:00:00+00:00"),
        cred(S, "carol", True, True, key1=True, key1_rotated="2026-10-20T10:00:00+00:00"),
        policy(S, "StagingPowerUser", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]}),
        policy(S, "LegacyFullAccess", ADMIN, attachments=0),
        user(S, "qa-runner", managed=["AdministratorAccess"]), user(S, "carol", groups=["qa"]),
        account_item(S, "acme-health-staging"), region_item(S, "us-east-1"),
        role(S, "qa-instance", managed=["AmazonSSMManagedInstanceCore"], inline_policies=[inline("everything", ADMIN)]),
        nacl(S, "acl-0c33staging", "vpc-0c33staging", [nacl_entry(100, "allow", proto="-1")]),
        snapshot(S, "snap-0c1000000000001", public=True),
        trail(S, "staging-local", "acme-staging-trail-logs", multi=False, validation=False, kms=False),
        bucket(S, "acme-staging-trail-logs", sse="AES256"),
        recorder(S, "us-east-1", recording=False),
        kms_key(S, "9c8d7e6f-staging-app", rotation=False, policy={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]}),
        rds(S, "staging-db", encrypted=False, public=True, deletion=False, minor=False, iam_auth=False, log_exports=["postgresql"]),
        rds_snapshot(S, "staging-db-shared", public=True),
        efs(S, "fs-0c1scratch", encrypted=False, backup=False),
        dynamodb_table(S, "eligibility-cache", pitr=False, deletion=False, billing="PROVISIONED"),
        sqs_queue(S, "eligibility-checks", sqs_managed=False, statements=lambda arn: [
            {"Sid": "PartnerSend", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn}]),
        sns_topic(S, "appointment-reminders", statements=lambda arn: [
            {"Sid": "AnyoneSubscribe", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["SNS:Subscribe", "SNS:Publish"], "Resource": arn}]),
        secret(S, "staging/legacy-fax-gateway", "bT4wLn", created="2024-09-01T09:00:00Z"),
        lambda_fn(S, "eligibility-webhook", runtime="python3.8", env=["PAYER_API_URL", "PAYER_API_TOKEN"],
                  policy=[{"Sid": "PartnerInvoke", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction"}]),
        ecr_repo(S, "patient-portal-web", scan=False, mutability="MUTABLE", lifecycle=False,
                 policy=[{"Sid": "PublicPull", "Effect": "Allow", "Principal": "*", "Action": ECR_PULL}]),
        staging_alb,
        elbv2_listener(staging_alb, "0c4b8e2d6f1a3957", 80, "HTTP"),
        elbv2_listener(staging_alb, "e5a91f3c7d2b4068", 443, "HTTPS", ssl_policy="ELBSecurityPolicy-2016-08", cert=staging_cert),
        classic_elb(S, "legacy-fax-elb", 604281937, [("HTTP", 80, "HTTP", 8080, None)], desync="monitor", vpc_id="vpc-0c33staging"),
        acm_cert(S, "staging.acmehealth.example", staging_cert.rsplit("/", 1)[1], "2027-06-02T23:59:59Z", transparency=False, in_use=[staging_alb["arn"]]),
        acm_cert(S, "fax.acmehealth.example", "71c3e9a5-4b2d-4e8f-b6a0-9d5c2f1e8a36", "2027-09-30T23:59:59Z", kind="IMPORTED", key="RSA-1024", transparency=False),
        redshift(S, "staging-warehouse", "9e7d6c5b-4a3f-4e21-b0c9-f8e7d6c5b4a3", public=True, retention=0, enhanced_routing=False, upgrades=False,
                 vpc_id="vpc-0c33staging"),
        opensearch(S, "provider-directory", node_to_node=False, https=False, tls="Policy-Min-TLS-1-0-2019-07", fine_grained=False, version="OpenSearch_1.3"),
        eks(S, "claims-platform-staging", "1.29", public=True, private=False, logs=["api", "audit"]),
        distribution(S, "E1STAGE4M8N2PQ", "d1stg4m8n2pq.cloudfront.net", "allow-all", [s3_origin("acme-staging-app-assets")], default_cert=True),
        task_definition(S, "fax-relay", 7, [container("fax-relay", f"{S}.dkr.ecr.us-east-1.amazonaws.com/fax-relay:latest", privileged=True,
                        env=["FAX_GATEWAY_HOST", "FAX_GATEWAY_PASSWORD"])], network="host"),
        # Round three
        image(S, "ami-0c1e7c2d3b4f50001", "staging-base-2025.02", public=True),
        launch_template(S, "lt-0c1b2c3d4e5f60001", "staging-api", 1, tokens="optional", public_ip=True),
        launch_config(S, "staging-batch-lc", "7e9a1c3e-5b7d-4f9a-8c2e-4d6f8a0c2e4a", public_ip=True),
        classic_elb(S, "staging-batch-elb", 918273645, [("HTTP", 80, "HTTP", 8080, None)], vpc_id="vpc-0c33staging", cross_zone=False, draining=False),
        asg(S, "staging-batch-asg", "1d3f5b7d-9e1a-4c3e-a5b7-6c8e0a2c4e6a", ["a"], launch_config_name="staging-batch-lc", elbs=["staging-batch-elb"]),
        rds(S, "staging-reports", multi_az=False, deletion=False, iam_auth=True, copy_tags=True),
        distribution(S, "E3FAXRLY9K2M4Q", "d3faxrly9k2m4q.cloudfront.net", "redirect-to-https",
                     [custom_origin("legacy-fax-elb", "legacy-fax-elb-604281937.us-east-1.elb.amazonaws.com", protocol="http-only")]),
        api_stage(S, "p3v8n1c6r5", "eligibility-api", "staging", "a4b9t7", cache=True),
        rest_api(S, "p3v8n1c6r5", "eligibility-api", [("/eligibility", "GET", "NONE"), ("/eligibility/{member}", "GET", "COGNITO_USER_POOLS")],
                 authorizers=[("c0g7n1", "members-pool", "COGNITO_USER_POOLS")]),
        http_api(S, "s9d7f5g3h1", "provider-webhooks", [("POST /webhooks/eligibility", "NONE"), ("GET /health", "NONE")]),
        http_api_stage(S, "s9d7f5g3h1", "provider-webhooks", "$default"),
        log_group(S, "/aws/lambda/eligibility-webhook", 7),
        replication_group(S, "eligibility-cache", "Eligibility lookups", at_rest=False, transit=False, auth=False, failover="disabled", multi_az="disabled",
                          retention=0),
        ssm_managed(S, "i-0c1b2c3d4e5f00001"),
        ssm_document(S, "StagingDbRestore", "Automation", ["all"]),
        session_preferences(S, "us-east-1"),
        security_contact(S, False),
        # Staging was opened with a company card before the organization existed.
        standalone(S),
    ])

    K = "333333333333"
    account(K, "acme-health-security", [
        bucket(K, "acme-security-cloudtrail", policy=tls_policy("acme-security-cloudtrail"), logging_to="acme-security-access-logs", mfa_delete=True),
        bucket(K, "acme-security-access-logs", sse="AES256", policy=tls_policy("acme-security-access-logs"), logging_to="acme-security-cloudtrail"),
        bucket(K, "acme-security-config-history", policy=tls_policy("acme-security-config-history"), logging_to="acme-security-access-logs"),
        account_pab(K),
        vpc(K, "vpc-0d44security", "10.40.0.0/16"), flow_log(K, "fl-0d44security", "vpc-0d44security", traffic="REJECT"),
        sg(K, "sg-0d1default", "default", "vpc-0d44security", [], egress=[]),
        ebs_default(K, "us-east-1", True),
        password_policy(K, minimumPasswordLength=16, requireSymbols=True, requireNumbers=True, requireUppercaseCharacters=True,
                        requireLowercaseCharacters=True, allowUsersToChangePassword=True, expirePasswords=True, maxPasswordAge=60, passwordReusePrevention=24),
        summary(K, 1, 0),
        cred(K, "<root_account>", False, True), cred(K, "secops-dana", True, True),
        user(K, "secops-dana", groups=["security-auditors"]),
        account_item(K, "acme-health-security"), region_item(K, "us-east-1"),
        role(K, "security-support", managed=["AWSSupportAccess"]),
        analyzer(K, "acme-org-analyzer"),
        nacl(K, "acl-0d44security", "vpc-0d44security", [nacl_entry(100, "allow", (443, 443), cidr="10.0.0.0/8")]),
        trail(K, "acme-security-trail", "acme-security-cloudtrail", cw_group="CloudTrail/acme-security", data_events="All"),
        log_group(K, "CloudTrail/acme-security", 731, kms=key_arn(K, "0f0e0d0c-security-logs")),
        *monitoring(K, "CloudTrail/acme-security", list(CIS_FILTERS)),
        recorder(K, "us-east-1"),
        kms_key(K, "0f0e0d0c-security-logs"),
        detector(K, "us-east-1"), hub(K, "us-east-1"),
        sns_topic(K, "security-alerts", kms=key_arn(K, "0f0e0d0c-security-logs"), statements=lambda arn: [
            sns_owner_only(K)(arn),
            {"Sid": "CloudWatchAlarms", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": arn},
            tls_only("sns", arn)]),
        secret(K, "security/siem-ingest-token", "Vd82sQ", rotation_days=30, kms=key_arn(K, "0f0e0d0c-security-logs"), created="2025-02-03T00:00:00Z",
               rotated="2026-06-20T03:00:00Z", accessed="2026-10-31T23:00:00Z"),
        lambda_fn(K, "security-alert-forwarder", vpc=(),
                  policy=[{"Sid": "SecurityAlertsInvoke", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "lambda:InvokeFunction",
                           "Condition": {"ArnLike": {"AWS:SourceArn": f"arn:aws:sns:us-east-1:{K}:security-alerts"}}}]),
        opensearch(K, "audit-search", kms=key_arn(K, "0f0e0d0c-security-logs"), vpc=(["subnet-0d44priv1", "subnet-0d44priv2"], ["sg-0d2search"]),
                   audit_group="/aws/opensearch/audit-search/audit-logs"),
        task_definition(K, "log-shipper", 3, [container("fluent-bit", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4", privileged=False,
                        readonly=True, user="1000", env=["LOG_LEVEL", "SIEM_ENDPOINT"],
                        secrets=[("SIEM_INGEST_TOKEN", f"arn:aws:secretsmanager:us-east-1:{K}:secret:security/siem-ingest-token-Vd82sQ")],
                        log_group="/ecs/log-shipper")], network="host"),
        # Round three
        backup_plan(K, "5e7a9c1e-3b5d-4f7a-8b9c-0d2e4f6a8b1c", "security-logs-weekly"),
        macie(K, "us-east-1"),
        inspector(K, "us-east-1", ecr="DISABLED"),
        session_preferences(K, "us-east-1", log_group="/aws/ssm/session-logs", kms=key_arn(K, "0f0e0d0c-security-logs")),
        security_contact(K, True),
        organization(K, [
            scp("p-FullAWSAccess", "FullAWSAccess", [{"Effect": "Allow", "Action": "*", "Resource": "*"}], [("r-ac01", "Root")], aws_managed=True),
            scp("p-acme0regions", "acme-deny-other-regions",
                [{"Sid": "DenyOutsideApprovedRegions", "Effect": "Deny",
                  "NotAction": ["iam:*", "organizations:*", "sts:*", "cloudfront:*", "route53:*", "support:*"], "Resource": "*",
                  "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}}}],
                [("r-ac01", "Root")]),
        ]),
    ])


if __name__ == "__main__":
    main()
