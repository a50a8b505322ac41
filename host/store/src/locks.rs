//! The ids of the PostgreSQL advisory locks the store takes, named in one place so that
//! no two uses share a number by accident. Each is taken with `pg_advisory_xact_lock`
//! and held until the end of its transaction. Advisory locks are per database.

/// Serializes claims of scan jobs and of split scans' batches across every worker (in the
/// service's database): the per-tenant and global limits on running scans and the
/// tenants' share of batches ([`crate::ClaimLimits`]) count running rows, so two claims
/// must not count at once.
pub(crate) const CLAIM_JOBS: i64 = 7301;

/// Serializes queueing one tenant's scans (the two-key form, with the hash of the tenant
/// id as the second key), so the cap on a tenant's queued scans counts exactly.
pub(crate) const QUEUE_SCANS: i32 = 7303;

/// Serializes the test suite's `ALTER ROLE securebase_app LOGIN` (in the test server's
/// own `postgres` database): the role is cluster-wide, and two ALTERs of it at once fail
/// ("tuple concurrently updated") when tests create their databases in parallel.
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
pub(crate) const TEST_ROLE_LOGIN: i64 = 7302;
