//! The account is a member of an AWS Organizations organization.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "organizations_account_part_of_organizations",
        title: "The account is a member of an AWS Organizations organization",
        severity: Severity::Medium,
        resource_types: &[crate::ORGANIZATION],
        rationale: "A standalone account is governed by nothing outside itself: no service control policy can bound what its administrators do, and organization-wide CloudTrail, Config, GuardDuty and Security Hub cannot include it. Whoever holds its root user or an administrator role decides alone, and a compromise of it is invisible to the central security account.",
        remediation: "Invite the account from the organization's management account (aws organizations invite-account-to-organization --target Id=ACCOUNT_ID,Type=ACCOUNT) and accept the handshake in the account (aws organizations accept-handshake --handshake-id ID), or create new workloads' accounts with aws organizations create-account. Use an organization with all features enabled, so service control policies apply.",
        references: &[
            reference("prowler", "organizations_account_part_of_organizations"),
            reference("url", "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_invites.html"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for org in inv.items(crate::ORGANIZATION).iter() {
        if org.config_bool("/inOrganization") != Some(true) {
            out.fail(
                org,
                format!("Account {} belongs to no AWS Organizations organization: nothing outside it governs it.", inv.account_id()),
            );
            continue;
        }
        let id = org.config_str("/id").unwrap_or("?");
        let role = if org.config_bool("/isManagementAccount") == Some(true) {
            "its management account".to_string()
        } else {
            format!("a member, managed from {}", org.config_str("/managementAccountId").unwrap_or("an unknown account"))
        };
        // Consolidated billing alone applies no policy to its accounts: say so, since
        // the point of membership here is governance.
        let features = match org.config_str("/featureSet") {
            Some(f) if f.eq_ignore_ascii_case("ALL") => "all features enabled".to_string(),
            Some(f) => format!("feature set {f}: service control policies do not apply"),
            None => "feature set not recorded".to_string(),
        };
        out.pass(org, format!("Account {} is in organization {id} ({role}; {features}).", inv.account_id()));
    }
}
