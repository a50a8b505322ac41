// {{name}}: a SecureBase control plugin in JavaScript.
//
// Each check is metadata plus a function that reports one finding per resource it looks
// at. Build: `securebase plugin build`; test: `securebase plugin test` (fixtures/).
import { check, items, plugin } from './securebase.js';

const OWNER_TAG = check({
  id: '{{check}}',
  title: 'S3 buckets carry an owner tag',
  severity: 'medium',
  resourceTypes: ['AWS::S3::Bucket'],
  rationale: 'Every bucket needs a team that answers for what is in it.',
  remediation: "aws s3api put-bucket-tagging --bucket NAME --tagging 'TagSet=[{Key=owner,Value=TEAM}]'",
  references: [['url', 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-managing.html']],
});

function ownerTag(out) {
  for (const bucket of items('AWS::S3::Bucket')) {
    out.verdict(bucket, 'owner' in bucket.tags, `Bucket ${bucket.name} names its owner.`, `Bucket ${bucket.name} has no owner tag.`);
  }
}

export const control = plugin('{{name}}', '0.1.0', [[OWNER_TAG, ownerTag]]);
