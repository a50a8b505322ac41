//! Questions several plugin families ask of the same AWS resources: is this bucket
//! public, is this service on in every region. One answer, shared, so two checks can
//! never disagree about the same fact.

use crate::policy::Policy;
use crate::{Findings, Inventory, Item, Node, inventory_node_bool, resource_types::REGION};
use serde_json::Value;

/// The four S3 Block Public Access settings.
pub const PAB_FLAGS: [&str; 4] = ["blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"];

/// The Block Public Access flags of `value` that are not `true`.
pub fn pab_missing(value: Option<Node<'_>>) -> Vec<&'static str> {
    PAB_FLAGS.into_iter().filter(|f| value.and_then(|v| v.get(f)).and_then(inventory_node_bool) != Some(true)).collect()
}

/// Whether the account-level S3 Block Public Access is fully on.
pub fn account_blocks_public_s3(inv: &Inventory) -> bool {
    inv.items("AWS::S3::AccountPublicAccessBlock").iter().any(|a| pab_missing(Some(a.configuration_doc())).is_empty())
}

/// Why an S3 bucket is public, if it is: Block Public Access (bucket or account) off
/// and either an `Allow` for every principal without conditions in its policy, or an
/// ACL grant to `AllUsers`/`AuthenticatedUsers`. Conditions are assumed to restrict,
/// as AWS Config's rules do. An unreadable policy is an `Err`.
pub fn s3_bucket_exposure(bucket: &Item, account_blocks: bool) -> Result<Option<String>, String> {
    if account_blocks || pab_missing(bucket.supplementary_node("/PublicAccessBlockConfiguration")).is_empty() {
        return Ok(None);
    }
    if let Some(text) = bucket.supplementary_node("/BucketPolicy/policyText").filter(|v| !v.is_null()) {
        let policy = Policy::parse(&text.to_value()).map_err(|e| e.to_string())?;
        if let Some(s) = policy.public_statement() {
            return Ok(Some(format!("its policy allows {} to everyone", s.actions.join(", "))));
        }
    }
    for g in bucket.supplementary_node("/AccessControlList/grantList").into_iter().flat_map(|l| l.elements()) {
        let grantee = match g.get("grantee") {
            Some(grantee) => match grantee.as_str() {
                Some(s) => s.to_string(),
                None => grantee.get("uri").and_then(|u| u.as_str()).unwrap_or_default().to_string(),
            },
            None => String::new(),
        };
        if grantee.contains("AllUsers") || grantee.contains("AuthenticatedUsers") {
            let permission = g.get("permission").and_then(|p| p.as_str()).unwrap_or("access");
            return Ok(Some(format!("its ACL grants {permission} to {grantee}")));
        }
    }
    Ok(None)
}

/// Reports every enabled region (`SecureBase::Account::Region`) as passing when some
/// item of `service` in that region satisfies `on`, failing otherwise.
pub fn per_region(inv: &Inventory, out: &mut Findings, service: &str, what: &str, on: impl Fn(&Item) -> bool) {
    let items = inv.items(service);
    for region in inv.items(REGION).iter() {
        let name = &region.resource_id;
        match items.iter().find(|i| &i.region == name && on(i)) {
            Some(i) => out.pass(region, format!("{what} is on in {name} ({}).", i.name())),
            None => out.fail(region, format!("{what} is not on in {name}.")),
        }
    }
}

/// A resource policy as recorded, if there is one: absent, JSON `null` and empty text all
/// mean the resource has none.
fn recorded_policy(document: Option<&Value>) -> Option<&Value> {
    document.filter(|v| !v.is_null() && v.as_str() != Some(""))
}

/// The verdict on whether a resource policy (SNS topic, SQS queue, Lambda function, ECR
/// repository) makes `item` public: failing on an `Allow` to every principal without a
/// condition on who ([`Policy::public_statement`]), passing without one or without a policy,
/// an error when the policy cannot be read. `what` names the resource ("Queue"), `policy` its
/// policy ("access policy").
pub fn public_policy_verdict(out: &mut Findings, item: &Item, what: &str, policy: &str, document: Option<&Value>) {
    let name = item.name();
    let parsed = recorded_policy(document).map(Policy::parse).transpose();
    match parsed {
        Err(e) => out.error(item, format!("{what} {name}: {e}.")),
        Ok(p) => match p.as_ref().and_then(Policy::public_statement) {
            None => out.pass(item, format!("{what} {name}'s {policy} does not allow access to everyone.")),
            Some(s) => out.fail(item, format!("{what} {name} is public: its policy allows {} to everyone.", s.actions.join(", "))),
        },
    }
}

/// The verdict on whether `item`'s resource policy refuses requests without TLS for all of
/// `service`'s actions ([`Policy::denies_insecure_transport`]): no policy refuses nothing, an
/// unreadable one is an error. `what` names the resource ("Topic").
pub fn tls_policy_verdict(out: &mut Findings, item: &Item, what: &str, service: &str, document: Option<&Value>) {
    let name = item.name();
    let Some(document) = recorded_policy(document) else {
        out.fail(item, format!("{what} {name} has no access policy, so requests without TLS are not denied."));
        return;
    };
    match Policy::parse(document) {
        Ok(p) if p.denies_insecure_transport(service) => out.pass(item, format!("{what} {name} denies requests that do not use TLS.")),
        Ok(_) => out.fail(item, format!("{what} {name}'s policy does not deny {service}:* requests with aws:SecureTransport=false.")),
        Err(e) => out.error(item, format!("{what} {name}: {e}.")),
    }
}

/// Words that make an environment variable's name say it holds a credential.
pub const CREDENTIAL_WORDS: &[&str] =
    &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL"];

/// Endings of names that hold a reference to a credential, not the credential.
const REFERENCE_SUFFIXES: &[&str] = &["_ARN", "ARN", "_NAME", "_ID", "_PATH"];

/// Whether an environment variable's name says it holds a credential (`DB_PASSWORD`,
/// `stripeApiKey`, `GITHUB_TOKEN`): one of [`CREDENTIAL_WORDS`], case-insensitively, with
/// `-` read as `_`. Collectors never keep the values (Lambda's and ECS's are redacted), so
/// the name is what a check can read; a value's own shape is not looked at.
pub fn looks_like_credential_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace('-', "_");
    // A name that says it holds where the credential is (`DB_SECRET_ARN`, `TOKEN_PARAMETER_NAME`)
    // is the recommended practice, not a credential.
    if REFERENCE_SUFFIXES.iter().any(|s| upper.ends_with(s)) {
        return false;
    }
    let squashed = upper.replace('_', "");
    CREDENTIAL_WORDS.iter().any(|w| upper.contains(w) || squashed.contains(&w.replace('_', "")))
}

/// A boolean the way AWS Config's older camelCase shapes or CloudFormation-shaped
/// types spell it: tries `/camelCase` then `/PascalCase`.
pub fn flag(item: &Item, camel: &str, pascal: &str) -> Option<bool> {
    item.config_bool(camel).or_else(|| item.config_bool(pascal))
}

/// For the checks of EC2 instances: records an instance that is neither running nor
/// stopped (pending, stopping, shutting down, terminated: on its way in or out) as not
/// applicable and tells the check to skip it. An instance whose state is not recorded
/// is judged.
pub fn ec2_instance_not_judged(instance: &Item, out: &mut Findings) -> bool {
    match instance.config_str("/state/name") {
        None | Some("running" | "stopped") => false,
        Some(state) => {
            out.not_applicable(
                instance,
                format!("Instance {} is {state}; only running and stopped instances are judged.", instance.name()),
            );
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_credential_name as credential;

    #[test]
    fn credential_names_are_told_from_ordinary_ones() {
        for name in [
            "DB_PASSWORD",
            "db-passwd",
            "stripeApiKey",
            "API_KEY",
            "GITHUB_TOKEN",
            "aws_secret_access_key",
            "PRIVATE_KEY_PEM",
            "CREDENTIALS_JSON",
        ] {
            assert!(credential(name), "{name}");
        }
        for name in
            ["STAGE", "LOG_LEVEL", "TABLE_NAME", "REGION", "PORT", "KEYSPACE", "DB_SECRET_ARN", "API_TOKEN_PARAMETER_NAME", "dbSecretArn"]
        {
            assert!(!credential(name), "{name}");
        }
    }
}
