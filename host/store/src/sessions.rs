//! Sessions of the web portal. A browser signs in by presenting an API key once; it then
//! holds only a random session token (`sb_s_<64 hex>`), which is stored as its SHA-256
//! and stands for that key until it expires or the user signs out. The session acts as
//! its key in every respect: a revoked or expired key, or a deleted tenant, ends it.

use crate::{Principal, Scope, Store, StoreError, Tenant, col, hex, now, random_bytes, timestamp};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};

/// A session just made: its token (for the cookie, never stored) and its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// `sb_s_<64 hex>`.
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// The stored form of a session token, or `None` for what is not one.
fn token_digest(token: &str) -> Option<String> {
    let secret = token.strip_prefix("sb_s_")?;
    (secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hex(&Sha256::digest(token.as_bytes())))
}

impl Store {
    /// Opens a session for live key `key_id` (the caller has just authenticated it),
    /// lasting `ttl`.
    pub async fn create_session(&self, key_id: &str, ttl: Duration) -> Result<NewSession, StoreError> {
        let token = format!("sb_s_{}", hex(&random_bytes::<32>()));
        let digest = token_digest(&token).expect("a token made here has the token's form");
        let expires_at = timestamp(SystemTime::now() + ttl);
        in_scope!(self, &Scope::Admin, |tx| {
            sqlx::query("INSERT INTO portal_sessions (token_sha256, key_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(&digest)
                .bind(key_id)
                .bind(now())
                .bind(&expires_at)
                .execute(&mut *tx)
                .await?;
        });
        Ok(NewSession { token, expires_at })
    }

    /// Who a session token acts for: its key's principal and tenant, if the session is
    /// open and unexpired and its key still live.
    pub async fn session(&self, token: &str) -> Result<Option<(Principal, Option<Tenant>)>, StoreError> {
        let Some(digest) = token_digest(token) else { return Ok(None) };
        let row = in_scope!(self, &Scope::Admin, |tx| {
            sqlx::query("SELECT key_id FROM portal_sessions WHERE token_sha256 = $1 AND ended_at IS NULL AND expires_at > $2")
                .bind(&digest)
                .bind(now())
                .fetch_optional(&mut *tx)
                .await?
        });
        let Some(row) = row else { return Ok(None) };
        let key_id: String = col(&row, "key_id")?;
        self.key_principal(&key_id, None).await
    }

    /// Ends a session (sign-out). Returns whether an open one was ended.
    pub async fn end_session(&self, token: &str) -> Result<bool, StoreError> {
        let Some(digest) = token_digest(token) else { return Ok(false) };
        let done = in_scope!(self, &Scope::Admin, |tx| {
            sqlx::query("UPDATE portal_sessions SET ended_at = $1 WHERE token_sha256 = $2 AND ended_at IS NULL")
                .bind(now())
                .bind(&digest)
                .execute(&mut *tx)
                .await?
        });
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::token_digest;

    #[test]
    fn only_a_session_token_has_a_digest() {
        let good = format!("sb_s_{}", "ab".repeat(32));
        assert_eq!(token_digest(&good).map(|d| d.len()), Some(64));
        assert_eq!(token_digest(&format!("sb_s_{}", "ab".repeat(31))), None);
        assert_eq!(token_digest(&format!("sb_k_{}", "ab".repeat(32))), None);
        assert_eq!(token_digest(&format!("sb_s_{}", "zz".repeat(32))), None);
    }
}
