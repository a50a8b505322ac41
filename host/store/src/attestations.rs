//! Tenants' attestations of manual requirements and their evidence files. Files are
//! stored once per tenant by SHA-256 (the same file attached twice is kept once) and
//! read back only through an attestation that names them. Checking an attestation
//! against the catalogue, and files against the size cap, is the API's.

use crate::{Scope, Store, StoreError, col, new_id, now};
use securebase_attestations::{Attestation, Evidence};
use serde::Serialize;
use sqlx::any::AnyRow;

/// An attestation as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttestationRow {
    /// The attestation, with its evidence files' names, media types, sizes and SHA-256.
    #[serde(flatten)]
    pub attestation: Attestation,
    /// Who recorded it.
    pub created_by: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, once deleted (then it applies to no scan).
    pub deleted_at: Option<String>,
}

fn row_of(row: &AnyRow) -> Result<AttestationRow, StoreError> {
    let body: String = col(row, "body")?;
    Ok(AttestationRow {
        attestation: serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("attestation body: {e}")))?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
        deleted_at: col(row, "deleted_at")?,
    })
}

const COLUMNS: &str = "body, created_by, created_at, deleted_at";

impl Store {
    /// Records an attestation (with a new `at_...` id when `a.id` is empty) and its
    /// evidence files, whose bytes must be those `a.evidence` describes.
    pub async fn create_attestation(
        &self,
        tenant: &str,
        a: &Attestation,
        files: &[(Evidence, Vec<u8>)],
        actor: &str,
    ) -> Result<AttestationRow, StoreError> {
        let mut a = a.clone();
        if a.id.is_empty() {
            a.id = new_id("at_");
        }
        let body = serde_json::to_string(&a).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            for (e, bytes) in files {
                sqlx::query("INSERT INTO evidence_blobs (tenant_id, sha256, content) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, sha256) DO NOTHING")
                    .bind(tenant)
                    .bind(&e.sha256)
                    .bind(bytes.clone())
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("INSERT INTO attestations (tenant_id, id, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(tenant)
                .bind(&a.id)
                .bind(&body)
                .bind(actor)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            let row = sqlx::query(&format!("SELECT {COLUMNS} FROM attestations WHERE tenant_id = $1 AND id = $2"))
                .bind(tenant)
                .bind(&a.id)
                .fetch_one(&mut *tx)
                .await?;
            (row_of(&row), true)
        })
    }

    /// A tenant's attestations that are not deleted, by id.
    pub async fn list_attestations(&self, tenant: &str) -> Result<Vec<AttestationRow>, StoreError> {
        let rows = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(&format!("SELECT {COLUMNS} FROM attestations WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id"))
                .bind(tenant)
                .fetch_all(&mut *tx)
                .await?
        });
        rows.iter().map(row_of).collect()
    }

    /// One attestation, deleted or not.
    pub async fn get_attestation(&self, tenant: &str, id: &str) -> Result<Option<AttestationRow>, StoreError> {
        let row = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(&format!("SELECT {COLUMNS} FROM attestations WHERE tenant_id = $1 AND id = $2"))
                .bind(tenant)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
        });
        row.as_ref().map(row_of).transpose()
    }

    /// An evidence file of an attestation: its description and bytes; `None` unless the
    /// attestation names a file with this SHA-256.
    pub async fn evidence(&self, tenant: &str, attestation: &str, sha256: &str) -> Result<Option<(Evidence, Vec<u8>)>, StoreError> {
        let Some(row) = self.get_attestation(tenant, attestation).await? else { return Ok(None) };
        let Some(e) = row.attestation.evidence.into_iter().find(|e| e.sha256 == sha256) else { return Ok(None) };
        let bytes = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query_scalar::<_, Vec<u8>>("SELECT content FROM evidence_blobs WHERE tenant_id = $1 AND sha256 = $2")
                .bind(tenant)
                .bind(sha256)
                .fetch_optional(&mut *tx)
                .await?
        });
        Ok(bytes.map(|b| (e, b)))
    }

    /// The attestations a scan of the tenant applies (validity is the scan's to judge).
    pub async fn active_attestations(&self, tenant: &str) -> Result<Vec<Attestation>, StoreError> {
        Ok(self.list_attestations(tenant).await?.into_iter().map(|r| r.attestation).collect())
    }

    /// Deletes an attestation (later scans no longer apply it); `false` if there is no
    /// such attestation, or it is deleted already.
    pub async fn delete_attestation(&self, tenant: &str, id: &str) -> Result<bool, StoreError> {
        Ok(in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let n = sqlx::query("UPDATE attestations SET deleted_at = $1 WHERE tenant_id = $2 AND id = $3 AND deleted_at IS NULL")
                .bind(now())
                .bind(tenant)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            (n == 1, n == 1)
        }))
    }
}
