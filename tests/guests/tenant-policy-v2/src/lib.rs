//! Test guest: version 2.0.0 of `tests/guests/tenant-policy` (same plugin name and
//! check id; also wants a `cost-center` tag), the replacement the service tests upload.

const VERSION: &str = "2.0.0";
const REQUIRED_TAGS: &[&str] = &["owner", "cost-center"];

include!("../../tenant-policy/src/policy.rs");
