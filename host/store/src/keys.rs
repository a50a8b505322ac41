//! API keys. A key is `sb_<key id>_<secret>`: the id finds the row, the secret is
//! checked against its stored SHA-256 in constant time. The secret itself is never
//! stored, and is shown to its owner once, when the key is made. 160 random bits make
//! a slow password hash pointless here.

use crate::{Scope, Store, StoreError, Tenant, col, hex, new_id, now, random_bytes};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What a key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    /// Manages tenants.
    Admin,
    /// Sees one tenant only.
    Tenant(String),
}

/// A key just made: the only time its token exists outside its owner's hands.
#[derive(Debug, Clone)]
pub struct NewKey {
    /// The key's id (not secret; shown in the audit log).
    pub id: String,
    /// The bearer token to give to its owner.
    pub token: String,
}

/// Who an authenticated request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The key's id.
    pub key_id: String,
    /// What the key may do.
    pub kind: KeyKind,
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
    /// Makes a key. For a tenant key the tenant must exist and not be deleted.
    pub async fn create_key(&self, kind: &KeyKind, label: &str) -> Result<NewKey, StoreError> {
        let id = new_id("k_");
        let secret = hex(&random_bytes::<20>());
        in_scope!(self, &Scope::Admin, |tx| {
            let (kind_s, tenant) = match kind {
                KeyKind::Admin => ("admin", None),
                KeyKind::Tenant(t) => ("tenant", Some(t.clone())),
            };
            sqlx::query("INSERT INTO api_keys (id, tenant_id, kind, secret_sha256, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&id)
                .bind(tenant)
                .bind(kind_s)
                .bind(digest(&secret))
                .bind(label)
                .bind(now())
                .execute(&mut *tx)
                .await?;
        });
        Ok(NewKey { token: format!("sb_{id}_{secret}"), id })
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
        // One transaction: the key, then (bound to its tenant) the tenant it belongs to.
        let mut tx = self.tenant_transaction(&Scope::Key(id.to_string())).await?;
        let row = sqlx::query("SELECT kind, tenant_id, secret_sha256 FROM api_keys WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        // Hash and compare even for an unknown id, so timing tells nothing.
        let presented = digest(secret);
        let (stored, row) = match row {
            Some(r) => (col::<String>(&r, "secret_sha256")?, Some(r)),
            None => ("0".repeat(64), None),
        };
        let matches = bool::from(stored.as_bytes().ct_eq(presented.as_bytes()));
        let Some(row) = row.filter(|_| matches) else { return Ok(None) };
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
        Ok(Some((Principal { key_id: id.to_string(), kind }, tenant)))
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
