"""{{name}}: a SecureBase control plugin in Python.

Each check is metadata plus a function that reports one finding per resource it looks
at. Build: `securebase plugin build`; test: `securebase plugin test` (fixtures/).
Never print(): the component has no stdout (use securebase_plugin.log).
"""

from wit_world import exports

import securebase_plugin as sb

OWNER_TAG = sb.check(
    id="{{check}}",
    title="S3 buckets carry an owner tag",
    severity="medium",
    resource_types=["AWS::S3::Bucket"],
    rationale="Every bucket needs a team that answers for what is in it.",
    remediation="aws s3api put-bucket-tagging --bucket NAME --tagging 'TagSet=[{Key=owner,Value=TEAM}]'",
    references=[("url", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-managing.html")],
)


def owner_tag(out: sb.Findings) -> None:
    for bucket in sb.items("AWS::S3::Bucket"):
        out.verdict(bucket, "owner" in bucket.tags, f"Bucket {bucket.name} names its owner.", f"Bucket {bucket.name} has no owner tag.")


CHECKS = [(OWNER_TAG, owner_tag)]


class Control(exports.Control):
    def metadata(self):
        return sb.metadata("{{name}}", "0.1.0", CHECKS)

    def evaluate(self):
        return sb.evaluate(CHECKS)
