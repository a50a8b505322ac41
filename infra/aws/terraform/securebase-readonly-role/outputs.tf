output "role_arn" {
  description = "The role_arn to give SecureBase for this account (or leave the default)."
  value       = aws_iam_role.securebase_readonly.arn
}
