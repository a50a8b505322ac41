output "stack_set_id" {
  description = "The StackSet's id."
  value       = aws_cloudformation_stack_set.securebase_readonly.stack_set_id
}

output "management_account_role_arn" {
  description = "The role in the management account, when include_management_account is set."
  value       = one(module.management_account[*].role_arn)
}
