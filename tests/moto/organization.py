"""Seeds moto's server with an organization of N accounts, each holding the known mix of
tests/moto/seed.py: moto's own account (123456789012, the management account) and N - 1
members made with CreateAccount, in an OU named Workloads. Prints the accounts' ids as a
JSON list (the management account first); progress goes to stderr. Usage:
organization.py ENDPOINT_URL N.

For `securebase-bench collect` (collection at organization scale) and the tests of
organization-wide collection."""
import io
import json
import runpy
import sys
import time
import contextlib

import boto3

URL, N = sys.argv[1], int(sys.argv[2])
if N < 1:
    sys.exit("organization.py: N must be at least 1 (the management account)")
orgs = boto3.client("organizations", endpoint_url=URL, region_name="us-east-1",
                    aws_access_key_id="test", aws_secret_access_key="test")
orgs.create_organization(FeatureSet="ALL")
ids = ["123456789012"]
for n in range(1, N):
    status = orgs.create_account(Email=f"member-{n}@example.com", AccountName=f"member-{n}")["CreateAccountStatus"]
    ids.append(status["AccountId"])
# The members sit in an OU, as in most organizations: collection walks the tree to learn
# which accounts an SCP attached to an OU covers.
root = orgs.list_roots()["Roots"][0]["Id"]
workloads = orgs.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
for account in ids[1:]:
    orgs.move_account(AccountId=account, SourceParentId=root, DestinationParentId=workloads)

SEED = __file__.rsplit("/", 1)[0] + "/seed.py"
started = time.monotonic()
for i, account in enumerate(ids):
    # One interpreter for all: boto3's start-up is paid once, not N times.
    sys.argv = [SEED, URL, account]
    with contextlib.redirect_stdout(io.StringIO()):
        runpy.run_path(SEED, run_name="__main__")
    print(f"seeded {i + 1}/{N} accounts ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
print(json.dumps(ids))
