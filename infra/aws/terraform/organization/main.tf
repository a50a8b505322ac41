# The SecureBase read-only role in every account of an organization: a service-managed
# StackSet of ../../cloudformation/securebase-readonly-role.yaml deployed to the given
# organizational units, and automatically to every account that joins them later (and
# removed from one that leaves). Apply in the organization's management account, or in
# a delegated administrator account for StackSets with call_as = "DELEGATED_ADMIN".
#
# Service-managed StackSets never deploy to the management account itself: with
# include_management_account, the role is created there directly, by the one-account
# module, from the same policy.

terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
  }
}

resource "aws_cloudformation_stack_set" "securebase_readonly" {
  name             = var.stack_set_name
  description      = "SecureBase read-only role in every account of the organization"
  permission_model = "SERVICE_MANAGED"
  call_as          = var.call_as
  capabilities     = ["CAPABILITY_NAMED_IAM"]
  template_body    = file("${path.module}/../../cloudformation/securebase-readonly-role.yaml")

  parameters = {
    ScannerPrincipalArn = var.scanner_principal_arn
    ExternalId          = var.external_id
    RoleName            = var.role_name
  }

  auto_deployment {
    enabled                          = true
    retain_stacks_on_account_removal = false
  }

  operation_preferences {
    failure_tolerance_percentage = 10
    max_concurrent_percentage    = 25
    region_concurrency_type      = "PARALLEL"
  }

  # AWS fills this in for service-managed StackSets; it is not ours to change.
  lifecycle {
    ignore_changes = [administration_role_arn]
  }
}

# IAM is global: one region per account is enough.
resource "aws_cloudformation_stack_set_instance" "organizational_units" {
  stack_set_name            = aws_cloudformation_stack_set.securebase_readonly.name
  call_as                   = var.call_as
  stack_set_instance_region = var.region

  deployment_targets {
    organizational_unit_ids = var.organizational_unit_ids
  }
}

module "management_account" {
  source                = "../securebase-readonly-role"
  count                 = var.include_management_account ? 1 : 0
  scanner_principal_arn = var.scanner_principal_arn
  external_id           = var.external_id
  role_name             = var.role_name
}
