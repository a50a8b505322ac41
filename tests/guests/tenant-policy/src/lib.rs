//! Test guest: a tenant's own control plugin, as a security team would write one
//! (check `acme_s3_bucket_owner_tag`: buckets carry an `owner` tag). The service tests
//! upload it, run it in one tenant's scans only, and replace it with version 2.0.0
//! (`tests/guests/tenant-policy-v2`, which also wants a `cost-center` tag).

const VERSION: &str = "1.0.0";
const REQUIRED_TAGS: &[&str] = &["owner"];

include!("policy.rs");
