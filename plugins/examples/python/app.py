"""example-python: three checks in Python, the example of plugins/README.md.

Built with componentize-py (`securebase plugin build`), tested in the sandbox against
fixtures/ (`securebase plugin test`), as tests/plugin_kit.rs does in CI.
"""

from wit_world import exports

import securebase_plugin as sb

EBS_ENCRYPTED = sb.check(
    id="pyex_ebs_volume_encrypted",
    title="EBS volumes are encrypted at rest",
    severity="high",
    resource_types=["AWS::EC2::Volume"],
    rationale="An unencrypted volume (and every snapshot of it) exposes its data to anyone who can read the storage.",
    remediation="Snapshot the volume, copy the snapshot with encryption on, create a volume from it; turn on EBS encryption by default.",
    references=[("aws-config-rule", "ENCRYPTED_VOLUMES"), ("prowler", "ec2_ebs_volume_encryption")],
)

OWNER_TAG = sb.check(
    id="pyex_s3_bucket_owner_tag",
    title="S3 buckets carry an owner tag",
    severity="medium",
    resource_types=["AWS::S3::Bucket"],
    rationale="Every bucket needs a team that answers for what is in it.",
    remediation="aws s3api put-bucket-tagging --bucket NAME --tagging 'TagSet=[{Key=owner,Value=TEAM}]'",
    references=[("aws-config-rule", "REQUIRED_TAGS")],
)

NO_PUBLIC_RDP = sb.check(
    id="pyex_sg_no_public_rdp",
    title="Security groups do not open RDP (3389) to the internet",
    severity="high",
    resource_types=["AWS::EC2::SecurityGroup"],
    rationale="RDP open to 0.0.0.0/0 or ::/0 invites password spraying and exploits of the protocol.",
    remediation="Remove the rule; reach Windows hosts through Systems Manager Session Manager or a VPN.",
    references=[("aws-config-rule", "RESTRICTED_INCOMING_TRAFFIC"), ("prowler", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389")],
)


def ebs_encrypted(out: sb.Findings) -> None:
    for volume in sb.items("AWS::EC2::Volume"):
        encrypted = volume.get("encrypted")
        if not isinstance(encrypted, bool):
            out.error(volume, f"Volume {volume.name}: its configuration has no boolean `encrypted`.")
        else:
            out.verdict(volume, encrypted, f"Volume {volume.name} is encrypted.", f"Volume {volume.name} is not encrypted.")


def owner_tag(out: sb.Findings) -> None:
    for bucket in sb.items("AWS::S3::Bucket"):
        out.verdict(bucket, "owner" in bucket.tags, f"Bucket {bucket.name} names its owner.", f"Bucket {bucket.name} has no owner tag.")


def _opens_rdp_to_the_internet(rule: dict) -> bool:
    everything = rule.get("ipProtocol") == "-1"
    ports = everything or (rule.get("ipProtocol") in ("tcp", "6") and rule.get("fromPort", 0) <= 3389 <= rule.get("toPort", -1))
    v4 = [r.get("cidrIp") for r in rule.get("ipv4Ranges", [])] + list(rule.get("ipRanges", []))
    v6 = [r.get("cidrIpv6") for r in rule.get("ipv6Ranges", [])]
    return ports and ("0.0.0.0/0" in v4 or "::/0" in v6)


def no_public_rdp(out: sb.Findings) -> None:
    for group in sb.items("AWS::EC2::SecurityGroup"):
        rules = group.get("ipPermissions", [])
        if any(_opens_rdp_to_the_internet(r) for r in rules):
            out.failed(group, f"Security group {group.name} opens port 3389 to the internet.")
        else:
            out.passed(group, f"Security group {group.name} does not open port 3389 to the internet.")


CHECKS = [(EBS_ENCRYPTED, ebs_encrypted), (OWNER_TAG, owner_tag), (NO_PUBLIC_RDP, no_public_rdp)]


class Control(exports.Control):
    def metadata(self):
        return sb.metadata("example-python", "1.0.0", CHECKS)

    def evaluate(self):
        return sb.evaluate(CHECKS)
