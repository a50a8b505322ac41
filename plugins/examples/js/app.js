// example-js: two checks in JavaScript, the example of plugins/README.md.
//
// Built with jco componentize (`securebase plugin build`), tested in the sandbox against
// fixtures/ (`securebase plugin test`), as tests/plugin_kit.rs does in CI.
import { check, items, plugin } from './securebase.js';

const OWNER_TAG = check({
  id: 'jsex_s3_bucket_owner_tag',
  title: 'S3 buckets carry an owner tag',
  severity: 'medium',
  resourceTypes: ['AWS::S3::Bucket'],
  rationale: 'Every bucket needs a team that answers for what is in it.',
  remediation: "aws s3api put-bucket-tagging --bucket NAME --tagging 'TagSet=[{Key=owner,Value=TEAM}]'",
  references: [['aws-config-rule', 'REQUIRED_TAGS']],
});

const NO_PUBLIC_RDP = check({
  id: 'jsex_sg_no_public_rdp',
  title: 'Security groups do not open RDP (3389) to the internet',
  severity: 'high',
  resourceTypes: ['AWS::EC2::SecurityGroup'],
  rationale: 'RDP open to 0.0.0.0/0 or ::/0 invites password spraying and exploits of the protocol.',
  remediation: 'Remove the rule; reach Windows hosts through Systems Manager Session Manager or a VPN.',
  references: [['prowler', 'ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389']],
});

function ownerTag(out) {
  for (const bucket of items('AWS::S3::Bucket')) {
    out.verdict(bucket, 'owner' in bucket.tags, `Bucket ${bucket.name} names its owner.`, `Bucket ${bucket.name} has no owner tag.`);
  }
}

function opensRdpToTheInternet(rule) {
  const everything = rule.ipProtocol === '-1';
  const ports = everything || ((rule.ipProtocol === 'tcp' || rule.ipProtocol === '6') && (rule.fromPort ?? 0) <= 3389 && 3389 <= (rule.toPort ?? -1));
  const v4 = (rule.ipv4Ranges ?? []).map((r) => r.cidrIp).concat(rule.ipRanges ?? []);
  const v6 = (rule.ipv6Ranges ?? []).map((r) => r.cidrIpv6);
  return ports && (v4.includes('0.0.0.0/0') || v6.includes('::/0'));
}

function noPublicRdp(out) {
  for (const group of items('AWS::EC2::SecurityGroup')) {
    const open = (group.configuration?.ipPermissions ?? []).some(opensRdpToTheInternet);
    out.verdict(group, !open, `Security group ${group.name} does not open port 3389 to the internet.`, `Security group ${group.name} opens port 3389 to the internet.`);
  }
}

export const control = plugin('example-js', '1.0.0', [[OWNER_TAG, ownerTag], [NO_PUBLIC_RDP, noPublicRdp]]);
