"""Schemathesis hooks for `tests/serve.rs`'s conformance run.

Uploads are not JSON: a plugin is `application/wasm`, a framework file
`application/toml`, which schemathesis cannot make from a schema. Both get
strategies below: arbitrary bytes or text (refused with a 422 naming why, as
documented) and, for frameworks, a valid file over built-in checks (accepted).

JSON Schema cannot state two rules of a tenant's accounts that the service enforces
(and `host/api/tests/api.rs` tests): an account is listed once, and its `role_arn`
names a role of that same account. Bodies generated for the tenant routes are mapped
to keep those rules, so a 400 for them is not reported as a schema-valid request
refused. Only bodies whose fields are already schema-valid are touched, so a
deliberately invalid body stays invalid.
"""

import re

import schemathesis
from hypothesis import strategies as st

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


# The smallest WebAssembly module header, a component's header, and arbitrary bytes:
# none is a component this service can load.
schemathesis.openapi.media_type(
    "application/wasm",
    st.one_of(
        st.sampled_from([b"\0asm\x01\0\0\0", b"\0asm\x0d\0\x01\0"]),
        st.binary(max_size=4096),
    ),
)

FRAMEWORK = """id = "{id}"
name = "Generated policy"
version = "1"

[[requirements]]
id = "R-1"
title = "Buckets are private"
checks = ["s3_bucket_public_access"]

[[requirements]]
id = "R-2"
title = "Reviewed by hand"
"""

schemathesis.openapi.media_type(
    "application/toml",
    st.one_of(
        st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True).map(lambda id: FRAMEWORK.format(id=id)),
        st.text(max_size=2000),
    ),
)
