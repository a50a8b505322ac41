//! API keys. A key is `sb_<key id>_<secret>`: the id finds the row, the secret is
//! checked against its stored SHA-256 in constant time. The secret itself is never
//! stored, and is shown to its owner once, when the key is made. 160 random bits make
//! a slow password hash pointless here.

use crate::{Backend, Scope, Store, StoreError, Tenant, col, hex, new_id, now, random_bytes, timestamp};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};
use subtle::ConstantTimeEq;

/// What a tenant key may do, each scope including the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyScope {
    /// Reads and report downloads: what an auditor gets.
    Read,
    /// Reads, and starting scans: what a CI pipeline gets.
    Scan,
    /// Everything on its tenant (webhook, schedules, keys).
    Manage,
}

impl KeyScope {
    /// Every scope, narrowest first.
    pub const ALL: [KeyScope; 3] = [KeyScope::Read, KeyScope::Scan, KeyScope::Manage];

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyScope::Read => "read",
            KeyScope::Scan => "scan",
            KeyScope::Manage => "manage",
        }
    }

    /// The scope named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The period an auditor's `read` key is limited to: both dates inclusive, by the UTC
/// date of what it may see (a scan's start, an exception's or attestation's validity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AuditWindow {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
}

/// Whether `d` is a real calendar date written `YYYY-MM-DD`.
fn is_date(d: &str) -> bool {
    use securebase_inventory::time::{format_rfc3339, parse_rfc3339};
    d.len() == 10 && parse_rfc3339(d).is_some_and(|t| format_rfc3339(t).starts_with(d))
}

impl AuditWindow {
    /// A window from `from` to `to`, or what is wrong with them (naming the field).
    pub fn new(from: &str, to: &str) -> Result<Self, String> {
        for (field, d) in [("window.from", from), ("window.to", to)] {
            if !is_date(d) {
                return Err(format!("field {field}: {d:?} is not a date; expected YYYY-MM-DD"));
            }
        }
        if from > to {
            return Err(format!("field window.to: {to} is before window.from {from}"));
        }
        Ok(Self { from: from.into(), to: to.into() })
    }

    /// Whether an RFC 3339 time (or a date) falls on one of the window's days.
    pub fn contains(&self, at: &str) -> bool {
        at.get(..10).is_some_and(|d| self.from.as_str() <= d && d <= self.to.as_str())
    }

    /// Whether a period (times or dates, both ends inclusive) shares a day with the window.
    pub fn overlaps(&self, start: &str, end: &str) -> bool {
        let day = |t: &str| t.get(..10).unwrap_or(t).to_string();
        day(start) <= self.to && self.from <= day(end)
    }

    /// Whether something in force from `start` until `end` (both inclusive), or until
    /// `deleted_at` if that came first, was in force on some day of the window.
    pub fn saw(&self, start: &str, end: &str, deleted_at: Option<&str>) -> bool {
        let end = match deleted_at {
            Some(d) if d < end => d,
            _ => end,
        };
        self.overlaps(start, end)
    }

    /// The first instant after the window, as stored timestamps compare (`YYYY-MM-DDT00:00:00Z`).
    pub(crate) fn end_exclusive(&self) -> String {
        use securebase_inventory::time::{format_rfc3339, parse_rfc3339};
        format_rfc3339(parse_rfc3339(&self.to).unwrap_or(0) + 86_400)
    }
}

impl std::fmt::Display for AuditWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} to {}", self.from, self.to)
    }
}

/// A key as listed: everything but its secret (whose hash stays in the database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    /// Its id (the `sb_<id>_` part of the token).
    pub id: String,
    /// `admin` or `tenant`.
    pub kind: String,
    /// Its tenant, for a tenant key.
    pub tenant_id: Option<String>,
    /// What it may do (`manage` for admin keys).
    pub scope: KeyScope,
    /// What it is for.
    pub label: String,
    /// RFC 3339.
    pub created_at: String,
    /// When it stops working, if ever.
    pub expires_at: Option<String>,
    /// When it was last used (to the minute).
    pub last_used_at: Option<String>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
    /// The period it is limited to (an auditor's `read` key), if any.
    pub window: Option<AuditWindow>,
}

/// What revoking an admin key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminRevoke {
    /// Revoked.
    Revoked,
    /// No live admin key has that id.
    NotFound,
    /// It is the last live admin key: nobody could manage the service without it.
    LastKey,
}

const KEY_COLUMNS: &str = "id, kind, tenant_id, scope, label, created_at, expires_at, last_used_at, revoked_at, window_from, window_to";

/// The window of a key's row, if it has one.
fn window_from_row(row: &sqlx::any::AnyRow) -> Result<Option<AuditWindow>, StoreError> {
    let (from, to): (Option<String>, Option<String>) = (col(row, "window_from")?, col(row, "window_to")?);
    match (from, to) {
        (Some(from), Some(to)) => AuditWindow::new(&from, &to).map(Some).map_err(StoreError::Corrupt),
        (None, None) => Ok(None),
        (from, to) => Err(StoreError::Corrupt(format!("columns window_from {from:?}, window_to {to:?}: one without the other"))),
    }
}

fn key_from_row(row: &sqlx::any::AnyRow) -> Result<KeyInfo, StoreError> {
    let scope: String = col(row, "scope")?;
    Ok(KeyInfo {
        id: col(row, "id")?,
        kind: col(row, "kind")?,
        tenant_id: col(row, "tenant_id")?,
        scope: KeyScope::parse(&scope).ok_or_else(|| StoreError::Corrupt(format!("column scope: {scope:?}")))?,
        label: col(row, "label")?,
        created_at: col(row, "created_at")?,
        expires_at: col(row, "expires_at")?,
        last_used_at: col(row, "last_used_at")?,
        revoked_at: col(row, "revoked_at")?,
        window: window_from_row(row)?,
    })
}

/// How stale `last_used_at` may get before a request writes it again: one write a
/// minute per busy key, not one per request.
const LAST_USED_EVERY: Duration = Duration::from_secs(60);

/// What a key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    /// Manages tenants.
    Admin,
    /// Sees one tenant only.
    Tenant(String),
}

/// A key just made: the only time its token exists outside its owner's hands.
#[derive(Clone)]
pub struct NewKey {
    /// The key's id (not secret; shown in the audit log).
    pub id: String,
    /// The bearer token to give to its owner.
    pub token: String,
    /// When it stops working, if ever.
    pub expires_at: Option<String>,
}

impl std::fmt::Debug for NewKey {
    // The token is a credential: never in a log line, even by accident.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewKey").field("id", &self.id).field("token", &"***").field("expires_at", &self.expires_at).finish()
    }
}

/// Who an authenticated request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The key's id.
    pub key_id: String,
    /// Whose key it is.
    pub kind: KeyKind,
    /// What it may do there (`Manage` for admin keys).
    pub scope: KeyScope,
    /// The period it is limited to, if any: then it sees only the scans, exceptions
    /// and attestations of those days.
    pub window: Option<AuditWindow>,
}

impl Principal {
    /// A short description for the audit log: `admin:<key id>` or `tenant:<key id>`.
    pub fn actor(&self) -> String {
        match self.kind {
            KeyKind::Admin => format!("admin:{}", self.key_id),
            KeyKind::Tenant(_) => format!("tenant:{}", self.key_id),
        }
    }
}

fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Splits `sb_<id>_<secret>`; anything else is not a key.
fn parse_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix("sb_")?;
    let (id, secret) = rest.rsplit_once('_')?;
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (id.strip_prefix("k_").is_some_and(|h| hex(h, 20)) && hex(secret, 40)).then_some((id, secret))
}

impl Store {
    /// Makes a key that may do everything its kind allows and never expires.
    pub async fn create_key(&self, kind: &KeyKind, label: &str) -> Result<NewKey, StoreError> {
        self.create_scoped_key(kind, KeyScope::Manage, None, label).await
    }

    /// Makes a key of a scope, expiring after `lifetime` if given. For a tenant key the
    /// tenant must exist and not be deleted.
    pub async fn create_scoped_key(
        &self,
        kind: &KeyKind,
        scope: KeyScope,
        lifetime: Option<Duration>,
        label: &str,
    ) -> Result<NewKey, StoreError> {
        self.create_windowed_key(kind, scope, lifetime, label, None).await
    }

    /// Makes a key as [`Store::create_scoped_key`] does, limited to an audit window if given.
    pub async fn create_windowed_key(
        &self,
        kind: &KeyKind,
        scope: KeyScope,
        lifetime: Option<Duration>,
        label: &str,
        window: Option<&AuditWindow>,
    ) -> Result<NewKey, StoreError> {
        let id = new_id("k_");
        let secret = hex(&random_bytes::<20>());
        let expires_at = lifetime.map(|l| timestamp(SystemTime::now() + l));
        let (kind_s, tenant) = match kind {
            KeyKind::Admin => ("admin", None),
            KeyKind::Tenant(t) => ("tenant", Some(t.as_str())),
        };
        in_change!(self, &Scope::Admin, tenant, |tx| {
            sqlx::query(
                "INSERT INTO api_keys (id, tenant_id, kind, secret_sha256, label, created_at, scope, expires_at, window_from, window_to) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&id)
            .bind(tenant.map(str::to_string))
            .bind(kind_s)
            .bind(digest(&secret))
            .bind(label)
            .bind(now())
            .bind(scope.as_str())
            .bind(&expires_at)
            .bind(window.map(|w| w.from.clone()))
            .bind(window.map(|w| w.to.clone()))
            .execute(&mut *tx)
            .await?;
            ((), true)
        });
        Ok(NewKey { token: format!("sb_{id}_{secret}"), id, expires_at })
    }

    /// Keys of a tenant (`Some`), or the admin keys (`None`), oldest first, revoked
    /// ones included (they say when).
    pub async fn list_keys(&self, tenant: Option<&str>) -> Result<Vec<KeyInfo>, StoreError> {
        let rows = match tenant {
            Some(t) => in_scope!(self, &Scope::Tenant(t.into()), |tx| {
                sqlx::query(&format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id"))
                    .bind(t)
                    .fetch_all(&mut *tx)
                    .await?
            }),
            None => in_scope!(self, &Scope::Admin, |tx| {
                sqlx::query(&format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE kind = 'admin' ORDER BY created_at, id"))
                    .fetch_all(&mut *tx)
                    .await?
            }),
        };
        rows.iter().map(key_from_row).collect()
    }

    /// Revokes one of a tenant's keys at once; `false` if the tenant has no live key
    /// with that id.
    pub async fn revoke_tenant_key(&self, tenant: &str, key_id: &str) -> Result<bool, StoreError> {
        let done = in_change!(self, &Scope::Admin, Some(tenant), |tx| {
            let n = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND tenant_id = $3 AND revoked_at IS NULL")
                .bind(now())
                .bind(key_id)
                .bind(tenant)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            (n, n > 0)
        });
        Ok(done > 0)
    }

    /// Revokes an admin key, unless it is the last live one.
    pub async fn revoke_admin_key(&self, key_id: &str) -> Result<AdminRevoke, StoreError> {
        let outcome = in_change!(self, &Scope::Admin, None, |tx| {
            // Locked, so two revocations at once cannot each leave the other's key last.
            let lock = if self.backend == Backend::Postgres { " FOR UPDATE" } else { "" };
            let live: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT id FROM api_keys WHERE kind = 'admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1){lock}"
            ))
            .bind(now())
            .fetch_all(&mut *tx)
            .await?;
            let outcome = if !live.iter().any(|k| k == key_id) {
                AdminRevoke::NotFound
            } else if live.len() == 1 {
                AdminRevoke::LastKey
            } else {
                sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2").bind(now()).bind(key_id).execute(&mut *tx).await?;
                AdminRevoke::Revoked
            };
            (outcome, outcome == AdminRevoke::Revoked)
        });
        Ok(outcome)
    }

    /// Whether any admin key that is not revoked exists.
    pub async fn has_admin_key(&self) -> Result<bool, StoreError> {
        let row = in_scope!(self, &Scope::Admin, |tx| {
            sqlx::query("SELECT COUNT(*) FROM api_keys WHERE kind = 'admin' AND revoked_at IS NULL").fetch_one(&mut *tx).await?
        });
        Ok(crate::count(&row)? > 0)
    }

    /// Registers an operator-chosen admin token (from the environment) unless it is
    /// already registered. It must have the shape of a generated key.
    pub async fn register_admin_token(&self, token: &str) -> Result<String, StoreError> {
        let (id, secret) = parse_token(token).ok_or_else(|| {
            StoreError::Config("the admin key must look like a generated one: sb_k_<20 hex digits>_<40 hex digits>".into())
        })?;
        in_scope!(self, &Scope::Admin, |tx| {
            let existing = sqlx::query("SELECT secret_sha256 FROM api_keys WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            match existing {
                Some(row) => {
                    let stored: String = col(&row, "secret_sha256")?;
                    if !bool::from(stored.as_bytes().ct_eq(digest(secret).as_bytes())) {
                        return Err(StoreError::Config(format!("key id {id} is already registered with another secret")));
                    }
                }
                None => {
                    sqlx::query(
                        "INSERT INTO api_keys (id, tenant_id, kind, secret_sha256, label, created_at) \
                         VALUES ($1, NULL, 'admin', $2, 'bootstrap (environment)', $3)",
                    )
                    .bind(id)
                    .bind(digest(secret))
                    .bind(now())
                    .execute(&mut *tx)
                    .await?;
                }
            }
        });
        Ok(id.to_string())
    }

    /// Who a bearer token belongs to, or `None` for an unknown, revoked or malformed
    /// token, or a tenant key whose tenant is deleted.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        Ok(self.authenticate_with_tenant(token).await?.map(|(p, _)| p))
    }

    /// Like [`Store::authenticate`], with a tenant key's tenant as read to check it is live.
    pub async fn authenticate_with_tenant(&self, token: &str) -> Result<Option<(Principal, Option<Tenant>)>, StoreError> {
        let Some((id, secret)) = parse_token(token) else { return Ok(None) };
        self.key_principal(id, Some(secret)).await
    }

    /// The principal of live key `id`, with its tenant: checked against `secret` when
    /// one is presented, taken as is when the caller already holds a proof of it (a
    /// portal session made by presenting the key).
    pub(crate) async fn key_principal(&self, id: &str, secret: Option<&str>) -> Result<Option<(Principal, Option<Tenant>)>, StoreError> {
        // One transaction: the key, then (bound to its tenant) the tenant it belongs to.
        let mut tx = self.tenant_transaction(&Scope::Key(id.to_string())).await?;
        let row = sqlx::query(
            "SELECT kind, tenant_id, secret_sha256, scope, expires_at, last_used_at, window_from, window_to FROM api_keys \
             WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let row = match secret {
            Some(secret) => {
                // Hash and compare even for an unknown id, so timing tells nothing.
                let presented = digest(secret);
                let (stored, row) = match row {
                    Some(r) => (col::<String>(&r, "secret_sha256")?, Some(r)),
                    None => ("0".repeat(64), None),
                };
                let matches = bool::from(stored.as_bytes().ct_eq(presented.as_bytes()));
                row.filter(|_| matches)
            }
            None => row,
        };
        let Some(row) = row else { return Ok(None) };
        let at = now();
        let expires_at: Option<String> = col(&row, "expires_at")?;
        if expires_at.is_some_and(|e| e <= at) {
            return Ok(None);
        }
        let scope: String = col(&row, "scope")?;
        let scope = KeyScope::parse(&scope).ok_or_else(|| StoreError::Corrupt(format!("column scope: {scope:?}")))?;
        let window = window_from_row(&row)?;
        let last_used: Option<String> = col(&row, "last_used_at")?;
        let (kind, tenant) = match col::<String>(&row, "kind")?.as_str() {
            "admin" => (KeyKind::Admin, None),
            _ => {
                let tenant_id: String = col(&row, "tenant_id")?;
                self.bind_tenant(&mut tx, &tenant_id).await?;
                let Some(tenant) = crate::tenants::live_tenant_in(&mut tx, &tenant_id).await? else { return Ok(None) };
                (KeyKind::Tenant(tenant_id), Some(tenant))
            }
        };
        tx.commit().await?;
        let stale = timestamp(SystemTime::now() - LAST_USED_EVERY);
        if last_used.is_none_or(|l| l < stale) {
            in_scope!(self, &Scope::Admin, |tx| {
                sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2").bind(&at).bind(id).execute(&mut *tx).await?;
            });
        }
        Ok(Some((Principal { key_id: id.to_string(), kind, scope, window }, tenant)))
    }

    /// Whether a key still works: not revoked, not expired, and for a tenant key its
    /// tenant not deleted. (Long requests ask again as they go.)
    pub async fn key_is_live(&self, key_id: &str) -> Result<bool, StoreError> {
        let row = in_scope!(self, &Scope::Admin, |tx| {
            sqlx::query(
                "SELECT COUNT(*) FROM api_keys k LEFT JOIN tenants t ON t.id = k.tenant_id \
                 WHERE k.id = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2) \
                 AND (k.tenant_id IS NULL OR t.deleted_at IS NULL)",
            )
            .bind(key_id)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?
        });
        Ok(crate::count(&row)? == 1)
    }

    /// Revokes a key. Returns whether a live key was revoked.
    pub async fn revoke_key(&self, key_id: &str) -> Result<bool, StoreError> {
        let done = in_scope!(self, &Scope::Admin, |tx| {
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now())
                .bind(key_id)
                .execute(&mut *tx)
                .await?
        });
        Ok(done.rows_affected() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_keeps_its_days_and_what_was_in_force_on_them() {
        assert!(AuditWindow::new("2026-02-29", "2026-03-01").is_err(), "2026 is not a leap year");
        assert!(AuditWindow::new("2026-03-02", "2026-03-01").is_err());
        let w = AuditWindow::new("2026-01-01", "2026-06-30").unwrap();
        assert!(w.contains("2026-06-30T23:59:59.999999Z") && !w.contains("2026-07-01T00:00:00.000000Z"));
        assert!(!w.contains("2025-12-31T23:59:59Z"));
        assert_eq!(w.end_exclusive(), "2026-07-01T00:00:00Z");
        assert!(w.saw("2025-11-01T10:00:00Z", "2026-01-01", None), "in force on the first day");
        assert!(!w.saw("2025-11-01T10:00:00Z", "2026-12-31", Some("2025-12-15T08:00:00Z")), "deleted before the window");
        assert!(w.saw("2025-11-01T10:00:00Z", "2026-12-31", Some("2026-03-15T08:00:00Z")));
        assert!(!w.saw("2026-07-01", "2027-01-01", None), "begins after it");
    }

    #[test]
    fn only_well_formed_tokens_parse() {
        let id = "k_0123456789abcdef0123";
        let secret = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(parse_token(&format!("sb_{id}_{secret}")), Some((id, secret)));
        for bad in [
            "".to_string(),
            format!("{id}_{secret}"),
            format!("sb_{id}_{}", &secret[1..]),
            format!("sb_{id}_{}g", &secret[1..]),
            format!("sb_k_0123_{secret}"),
        ] {
            assert_eq!(parse_token(&bad), None, "{bad}");
        }
    }
}
