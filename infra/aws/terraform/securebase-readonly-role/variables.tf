variable "scanner_principal_arn" {
  description = "The role the SecureBase service runs as, in its own account (e.g. arn:aws:iam::123456789012:role/securebase-service). Only this principal may assume the role."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]{1,512}$", var.scanner_principal_arn))
    error_message = "scanner_principal_arn must be an IAM role or user ARN, arn:aws:iam::ACCOUNT_ID:role/NAME."
  }
}

variable "external_id" {
  description = "The tenant's external ID: aws_external_id of GET /v1/tenants/{id} with the service; with the CLI, the external_id of your accounts file."
  type        = string
  sensitive   = true
  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@:/_-]{16,1224}$", var.external_id))
    error_message = "external_id must be 16 to 1224 characters of letters, digits and +=,.@:/_-."
  }
}

variable "role_name" {
  description = "The role's name; the service assumes SecureBaseReadOnly unless an account's role_arn says otherwise."
  type        = string
  default     = "SecureBaseReadOnly"
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
