variable "scanner_principal_arn" {
  description = "The role the SecureBase service runs as, in its own account (e.g. arn:aws:iam::123456789012:role/securebase-service)."
  type        = string
}

variable "external_id" {
  description = "The tenant's external ID (aws_external_id of GET /v1/tenants/{id})."
  type        = string
  sensitive   = true
}

variable "organizational_unit_ids" {
  description = "The organizational units (ou-...) or the root (r-...) whose accounts get the role, now and as they join."
  type        = list(string)
  validation {
    condition     = length(var.organizational_unit_ids) > 0 && alltrue([for id in var.organizational_unit_ids : can(regex("^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$", id))])
    error_message = "organizational_unit_ids must name at least one organizational unit (ou-...) or the root (r-...)."
  }
}

variable "role_name" {
  description = "The role's name in every account."
  type        = string
  default     = "SecureBaseReadOnly"
}

variable "region" {
  description = "The one region the StackSet deploys to in each account (IAM is global)."
  type        = string
  default     = "us-east-1"
}

variable "call_as" {
  description = "SELF in the management account, DELEGATED_ADMIN in a delegated administrator account for StackSets."
  type        = string
  default     = "SELF"
  validation {
    condition     = contains(["SELF", "DELEGATED_ADMIN"], var.call_as)
    error_message = "call_as must be SELF or DELEGATED_ADMIN."
  }
}

variable "include_management_account" {
  description = "Also create the role in the account Terraform runs in (service-managed StackSets skip the management account). Set false in a delegated administrator account."
  type        = bool
  default     = true
}

variable "stack_set_name" {
  description = "The StackSet's name."
  type        = string
  default     = "securebase-readonly-role"
}
