//! EC2, VPC and EBS of one region: security groups, network ACLs, VPCs, flow logs,
//! instances, volumes (AWS Config's camelCase shapes), the account's own snapshots with
//! who may create volumes from them, and EBS encryption by default (our own types).

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use aws_sdk_ec2::types::{IpPermission, SnapshotAttributeName, Tag};
use serde_json::{Value, json};

pub(crate) const SERVICE: &str = "ec2";

fn tags(tags: &[Tag]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter().filter_map(|t| Some((t.key()?, t.value().unwrap_or_default())))
}

fn name_tag(tags: &[Tag]) -> Option<&str> {
    tags.iter().find(|t| t.key() == Some("Name")).and_then(|t| t.value())
}

/// A rule as AWS Config records it: typed ranges plus the legacy flat `ipRanges`.
fn permission(p: &IpPermission) -> Value {
    json!({
        "ipProtocol": p.ip_protocol(),
        "fromPort": p.from_port(),
        "toPort": p.to_port(),
        "ipv4Ranges": p.ip_ranges().iter().map(|r| json!({ "cidrIp": r.cidr_ip(), "description": r.description() })).collect::<Vec<_>>(),
        "ipRanges": p.ip_ranges().iter().filter_map(|r| r.cidr_ip()).collect::<Vec<_>>(),
        "ipv6Ranges": p.ipv6_ranges().iter().map(|r| json!({ "cidrIpv6": r.cidr_ipv6(), "description": r.description() })).collect::<Vec<_>>(),
        "userIdGroupPairs": p.user_id_group_pairs().iter().map(|g| json!({ "groupId": g.group_id(), "userId": g.user_id() })).collect::<Vec<_>>(),
        "prefixListIds": p.prefix_list_ids().iter().map(|l| json!({ "prefixListId": l.prefix_list_id() })).collect::<Vec<_>>(),
    })
}

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let ec2 = client!(aws_sdk_ec2, s);
    let (account, region) = (s.account, s.region);
    let arn = |kind: &str, id: &str| Some(format!("arn:aws:ec2:{region}:{account}:{kind}/{id}"));
    let mut out = Sink::default();

    if s.wants("AWS::EC2::SecurityGroup") {
        let r = ec2.describe_security_groups().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for g in out.call(SERVICE, region, "DescribeSecurityGroups", r).unwrap_or_default() {
            let id = g.group_id().unwrap_or_default();
            let config = json!({
                "groupId": id,
                "groupName": g.group_name(),
                "description": g.description(),
                "vpcId": g.vpc_id(),
                "ownerId": g.owner_id(),
                "ipPermissions": g.ip_permissions().iter().map(permission).collect::<Vec<_>>(),
                "ipPermissionsEgress": g.ip_permissions_egress().iter().map(permission).collect::<Vec<_>>(),
            });
            out.push(
                item("AWS::EC2::SecurityGroup", id, account, region, config)
                    .named(g.group_name())
                    .arn(arn("security-group", id))
                    .tags(tags(g.tags())),
            );
        }
    }

    if s.wants("AWS::EC2::NetworkAcl") {
        let r = ec2.describe_network_acls().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for acl in out.call(SERVICE, region, "DescribeNetworkAcls", r).unwrap_or_default() {
            let id = acl.network_acl_id().unwrap_or_default();
            let entries: Vec<Value> = acl
                .entries()
                .iter()
                .map(|e| {
                    let mut v = json!({
                        "ruleNumber": e.rule_number(),
                        "protocol": e.protocol(),
                        "ruleAction": e.rule_action().map(|a| a.as_str()),
                        "egress": e.egress(),
                    });
                    if let Some(c) = e.cidr_block() {
                        v["cidrBlock"] = json!(c);
                    }
                    if let Some(c) = e.ipv6_cidr_block() {
                        v["ipv6CidrBlock"] = json!(c);
                    }
                    if let Some(p) = e.port_range() {
                        v["portRange"] = json!({ "from": p.from(), "to": p.to() });
                    }
                    v
                })
                .collect();
            let config = json!({ "networkAclId": id, "vpcId": acl.vpc_id(), "isDefault": acl.is_default(), "entries": entries });
            out.push(item("AWS::EC2::NetworkAcl", id, account, region, config).arn(arn("network-acl", id)).tags(tags(acl.tags())));
        }
    }

    if s.wants("AWS::EC2::VPC") {
        let r = ec2.describe_vpcs().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for v in out.call(SERVICE, region, "DescribeVpcs", r).unwrap_or_default() {
            let id = v.vpc_id().unwrap_or_default();
            let config =
                json!({ "vpcId": id, "cidrBlock": v.cidr_block(), "isDefault": v.is_default(), "state": v.state().map(|s| s.as_str()) });
            out.push(item("AWS::EC2::VPC", id, account, region, config).arn(arn("vpc", id)).named(name_tag(v.tags())).tags(tags(v.tags())));
        }
    }

    if s.wants("AWS::EC2::FlowLog") {
        let r = ec2.describe_flow_logs().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for f in out.call(SERVICE, region, "DescribeFlowLogs", r).unwrap_or_default() {
            let id = f.flow_log_id().unwrap_or_default();
            let config = json!({
                "flowLogId": id,
                "resourceId": f.resource_id(),
                "trafficType": f.traffic_type().map(|t| t.as_str()),
                "flowLogStatus": f.flow_log_status(),
                "logDestinationType": f.log_destination_type().map(|t| t.as_str()),
                "logDestination": f.log_destination(),
            });
            out.push(item("AWS::EC2::FlowLog", id, account, region, config).tags(tags(f.tags())));
        }
    }

    if s.wants("AWS::EC2::Instance") {
        let r = ec2.describe_instances().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for reservation in out.call(SERVICE, region, "DescribeInstances", r).unwrap_or_default() {
            for i in reservation.instances() {
                let id = i.instance_id().unwrap_or_default();
                let m = i.metadata_options();
                let config = json!({
                    "instanceId": id,
                    "instanceType": i.instance_type().map(|t| t.as_str()),
                    "state": { "name": i.state().and_then(|s| s.name()).map(|n| n.as_str()) },
                    "imageId": i.image_id(),
                    "vpcId": i.vpc_id(),
                    "metadataOptions": {
                        "httpTokens": m.and_then(|m| m.http_tokens()).map(|t| t.as_str()),
                        "httpEndpoint": m.and_then(|m| m.http_endpoint()).map(|t| t.as_str()),
                        "httpPutResponseHopLimit": m.and_then(|m| m.http_put_response_hop_limit()),
                    },
                    "iamInstanceProfile": i.iam_instance_profile().map(|p| json!({ "arn": p.arn(), "id": p.id() })),
                    "publicIpAddress": i.public_ip_address(),
                    "monitoring": { "state": i.monitoring().and_then(|m| m.state()).map(|s| s.as_str()) },
                });
                out.push(
                    item("AWS::EC2::Instance", id, account, region, config)
                        .named(name_tag(i.tags()))
                        .arn(arn("instance", id))
                        .tags(tags(i.tags())),
                );
            }
        }
    }

    if s.wants("SecureBase::EC2::Image") {
        // Only the account's own images: public ones it did not make are not its exposure.
        let r = ec2.describe_images().owners("self").send().await;
        for image in out.call(SERVICE, region, "DescribeImages", r).map(|r| r.images().to_vec()).unwrap_or_default() {
            let id = image.image_id().unwrap_or_default();
            let config = json!({
                "imageId": id,
                "name": image.name(),
                "public": image.public().unwrap_or(false),
                "ownerId": image.owner_id(),
                "state": image.state().map(|x| x.as_str()),
            });
            out.push(
                item("SecureBase::EC2::Image", id, account, region, config)
                    .named(image.name())
                    .arn(Some(format!("arn:aws:ec2:{region}::image/{id}")))
                    .tags(tags(image.tags())),
            );
        }
    }

    if s.wants("AWS::EC2::LaunchTemplate") {
        let r = ec2.describe_launch_templates().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for t in out.call(SERVICE, region, "DescribeLaunchTemplates", r).unwrap_or_default() {
            let Some(id) = t.launch_template_id() else { continue };
            // The default version is what instances launched from the template get.
            let r = ec2.describe_launch_template_versions().launch_template_id(id).versions("$Default").send().await;
            let Some(versions) = out.call(SERVICE, region, &format!("DescribeLaunchTemplateVersions {id}"), r) else { continue };
            let data = versions.launch_template_versions().first().and_then(|v| v.launch_template_data());
            let m = data.and_then(|d| d.metadata_options());
            let config = json!({
                "LaunchTemplateId": id,
                "LaunchTemplateName": t.launch_template_name(),
                "DefaultVersionNumber": t.default_version_number(),
                "LaunchTemplateData": {
                    "MetadataOptions": {
                        "HttpTokens": m.and_then(|m| m.http_tokens()).map(|x| x.as_str()),
                        "HttpEndpoint": m.and_then(|m| m.http_endpoint()).map(|x| x.as_str()),
                    },
                    "NetworkInterfaces": data.map(|d| d.network_interfaces()).unwrap_or_default().iter().map(|n| json!({
                        "AssociatePublicIpAddress": n.associate_public_ip_address(),
                        "DeviceIndex": n.device_index(),
                    })).collect::<Vec<_>>(),
                },
            });
            out.push(
                item("AWS::EC2::LaunchTemplate", id, account, region, config)
                    .named(t.launch_template_name())
                    .arn(arn("launch-template", id))
                    .tags(tags(t.tags())),
            );
        }
    }

    if s.wants("AWS::EC2::Volume") {
        let r = ec2.describe_volumes().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for v in out.call(SERVICE, region, "DescribeVolumes", r).unwrap_or_default() {
            let id = v.volume_id().unwrap_or_default();
            let config = json!({
                "volumeId": id,
                "encrypted": v.encrypted(),
                "size": v.size(),
                "volumeType": v.volume_type().map(|t| t.as_str()),
                "state": v.state().map(|t| t.as_str()),
                "availabilityZone": v.availability_zone(),
                "attachments": v.attachments().iter().map(|a| json!({
                    "instanceId": a.instance_id(), "device": a.device(), "state": a.state().map(|s| s.as_str()),
                })).collect::<Vec<_>>(),
                "kmsKeyId": v.kms_key_id(),
            });
            out.push(item("AWS::EC2::Volume", id, account, region, config).arn(arn("volume", id)).tags(tags(v.tags())));
        }
    }

    if s.wants("SecureBase::EC2::EbsSnapshot") {
        let r = ec2.describe_snapshots().owner_ids("self").into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for snap in out.call(SERVICE, region, "DescribeSnapshots", r).unwrap_or_default() {
            let id = snap.snapshot_id().unwrap_or_default();
            let r = ec2.describe_snapshot_attribute().snapshot_id(id).attribute(SnapshotAttributeName::CreateVolumePermission).send().await;
            // Who may create volumes decides "public": without it, the snapshot is not emitted.
            let Some(attr) = out.call(SERVICE, region, &format!("DescribeSnapshotAttribute {id}"), r) else { continue };
            let permissions: Vec<Value> = attr
                .create_volume_permissions()
                .iter()
                .map(|p| match (p.group(), p.user_id()) {
                    (Some(g), _) => json!({ "group": g.as_str() }),
                    (None, u) => json!({ "userId": u }),
                })
                .collect();
            let config = json!({
                "snapshotId": id,
                "volumeId": snap.volume_id(),
                "encrypted": snap.encrypted(),
                "createVolumePermissions": permissions,
            });
            out.push(item("SecureBase::EC2::EbsSnapshot", id, account, region, config).arn(arn("snapshot", id)).tags(tags(snap.tags())));
        }
    }

    if s.wants("SecureBase::EC2::EbsEncryptionByDefault") {
        let r = ec2.get_ebs_encryption_by_default().send().await;
        if let Some(on) = out.call(SERVICE, region, "GetEbsEncryptionByDefault", r) {
            let config = json!({ "ebsEncryptionByDefault": on.ebs_encryption_by_default().unwrap_or(false) });
            out.push(item("SecureBase::EC2::EbsEncryptionByDefault", format!("{account}:{region}"), account, region, config));
        }
    }
    out
}
