# SecureBase read-only role for one account: the service may assume it only from its own
# role (aws:PrincipalArn) and only with the tenant's external ID (sts:ExternalId). For
# every account of an organization, see ../organization (a service-managed StackSet).
#
# The permissions are securebase-readonly-policy.json beside this file: a copy of
# infra/iam/securebase-readonly-policy.json, kept identical by a test (tests/infra.rs),
# so that the module stays usable on its own (a module source cannot reach outside it).

locals {
  scanner_account_id = split(":", var.scanner_principal_arn)[4]
  partition          = split(":", var.scanner_principal_arn)[1]
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "SecureBaseServiceOnlyWithTheExternalId"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.scanner_account_id}:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:PrincipalArn"
      values   = [var.scanner_principal_arn]
    }
  }
}

resource "aws_iam_role" "securebase_readonly" {
  name                 = var.role_name
  description          = "SecureBase compliance scanning, read-only"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = merge(var.tags, { "managed-by" = "securebase" })
}

resource "aws_iam_role_policy" "securebase_collect_readonly" {
  name   = "SecureBaseCollectReadOnly"
  role   = aws_iam_role.securebase_readonly.id
  policy = file("${path.module}/securebase-readonly-policy.json")
}
