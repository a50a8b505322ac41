"""Schemathesis hooks for `tests/serve.rs`'s conformance run.

JSON Schema cannot state two rules of a tenant's accounts that the service enforces
(and `host/api/tests/api.rs` tests): an account is listed once, and its `role_arn`
names a role of that same account. Bodies generated for the tenant routes are mapped
to keep those rules, so a 400 for them is not reported as a schema-valid request
refused. Only bodies whose fields are already schema-valid are touched, so a
deliberately invalid body stays invalid.
"""

import re

import schemathesis

ACCOUNT = re.compile(r"[0-9]{12}\Z")
ROLE = re.compile(r"arn:aws:iam::[0-9]{12}:role/(.+)\Z", re.S)


def _keep_account_rules(body):
    if not isinstance(body, dict) or not isinstance(body.get("accounts"), list):
        return body
    seen, accounts = set(), []
    for account in body["accounts"]:
        if not isinstance(account, dict) or not isinstance(account.get("account_id"), str):
            accounts.append(account)
            continue
        account_id = account["account_id"]
        if ACCOUNT.match(account_id):
            if account_id in seen:
                continue
            seen.add(account_id)
            role = account.get("role_arn")
            match = ROLE.match(role) if isinstance(role, str) else None
            if match:
                account = {**account, "role_arn": f"arn:aws:iam::{account_id}:role/{match.group(1)}"}
        accounts.append(account)
    return {**body, "accounts": accounts}


@schemathesis.hook
def map_body(context, body):
    operation = context.operation
    if operation is not None and operation.path in ("/v1/tenants", "/v1/tenants/{id}"):
        return _keep_account_rules(body)
    return body
