//! What tenants bring to the service: their control plugins (components stored
//! content-addressed per tenant, versions immutable), the Ed25519 keys their plugin
//! uploads must be signed with, and their own frameworks (versioned TOML files).
//!
//! Validation (does the component load, is the signature good, do the framework's
//! checks exist) is the API's; this module keeps what passed, one tenant at a time.

use crate::{Scope, Store, StoreError, col, new_id, now};
use serde::Serialize;
use sqlx::any::AnyRow;

/// One version of a tenant's plugin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PluginRow {
    /// The plugin's name (from its metadata).
    pub name: String,
    /// The version (from its metadata).
    pub version: String,
    /// SHA-256 of the component, hex.
    pub sha256: String,
    /// The contract it was built for, e.g. `securebase:control@1.0.0`.
    pub contract: String,
    /// Its checks: id, title, severity, resource types.
    pub checks: serde_json::Value,
    /// Component size in bytes.
    pub size: u64,
    /// Whether scans run it (the newest enabled version of a name runs).
    pub enabled: bool,
    /// The id of the signing key its signature was checked with, if the tenant has any.
    pub signed_by: Option<String>,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// RFC 3339.
    pub created_at: String,
}

impl PluginRow {
    /// The ids of its checks.
    pub fn check_ids(&self) -> Vec<String> {
        self.checks.as_array().map(|a| a.iter().filter_map(|c| c["id"].as_str().map(str::to_string)).collect()).unwrap_or_default()
    }
}

/// What an upload stores beside the component.
#[derive(Debug, Clone)]
pub struct NewPlugin {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// SHA-256 of the component, hex.
    pub sha256: String,
    /// Contract.
    pub contract: String,
    /// Checks, as listed back.
    pub checks: serde_json::Value,
    /// The key its signature was checked with.
    pub signed_by: Option<String>,
    /// Who.
    pub uploaded_by: String,
}

/// What became of an upload.
#[derive(Debug, Clone, PartialEq)]
pub enum PluginUpload {
    /// A new version.
    Created(PluginRow),
    /// The same bytes were uploaded before under this name and version: nothing changed.
    Unchanged(PluginRow),
    /// This name and version exist with other bytes; versions are immutable.
    VersionTaken(PluginRow),
}

/// A public key a tenant's plugin uploads may be signed with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SigningKey {
    /// Its id (`sk_...`).
    pub id: String,
    /// A name for people.
    pub name: String,
    /// The Ed25519 public key, base64 (32 bytes).
    pub public_key: String,
    /// Who registered it.
    pub created_by: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A framework file a tenant uploads, validated.
#[derive(Debug, Clone)]
pub struct NewFramework {
    /// Its id (from the file).
    pub id: String,
    /// Its name (from the file).
    pub name: String,
    /// The file.
    pub source: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Who.
    pub uploaded_by: String,
}

/// The current version of a tenant's framework.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkRow {
    /// Its id (from the file).
    pub id: String,
    /// 1 for the first upload, one more for each replacement.
    pub version: i64,
    /// Its name (from the file).
    pub name: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Who uploaded this version.
    pub uploaded_by: String,
    /// RFC 3339.
    pub created_at: String,
    /// The file itself.
    #[serde(skip)]
    pub source: String,
}

const PLUGIN_COLUMNS: &str = "name, version, sha256, contract, checks, size, enabled, signed_by, uploaded_by, created_at";
const FRAMEWORK_COLUMNS: &str = "id, version, name, sha256, uploaded_by, created_at, source";

fn plugin_from_row(row: &AnyRow) -> Result<PluginRow, StoreError> {
    let checks: String = col(row, "checks")?;
    Ok(PluginRow {
        name: col(row, "name")?,
        version: col(row, "version")?,
        sha256: col(row, "sha256")?,
        contract: col(row, "contract")?,
        checks: serde_json::from_str(&checks).map_err(|e| StoreError::Corrupt(format!("column checks: {e}")))?,
        size: col::<i64>(row, "size")?.max(0) as u64,
        enabled: col::<i64>(row, "enabled")? == 1,
        signed_by: col(row, "signed_by")?,
        uploaded_by: col(row, "uploaded_by")?,
        created_at: col(row, "created_at")?,
    })
}

fn key_from_row(row: &AnyRow) -> Result<SigningKey, StoreError> {
    Ok(SigningKey {
        id: col(row, "id")?,
        name: col(row, "name")?,
        public_key: col(row, "public_key")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
    })
}

fn framework_from_row(row: &AnyRow) -> Result<FrameworkRow, StoreError> {
    Ok(FrameworkRow {
        id: col(row, "id")?,
        version: col(row, "version")?,
        name: col(row, "name")?,
        sha256: col(row, "sha256")?,
        uploaded_by: col(row, "uploaded_by")?,
        created_at: col(row, "created_at")?,
        source: col(row, "source")?,
    })
}

/// The plugins a tenant's scans run: the newest enabled version of each name.
pub fn to_run(rows: &[PluginRow]) -> Vec<&PluginRow> {
    let mut newest: std::collections::BTreeMap<&str, &PluginRow> = std::collections::BTreeMap::new();
    for r in rows.iter().filter(|r| r.enabled) {
        let slot = newest.entry(&r.name).or_insert(r);
        if (&r.created_at, &r.version) > (&slot.created_at, &slot.version) {
            *slot = r;
        }
    }
    newest.into_values().collect()
}

impl Store {
    /// Stores a validated component and its version. The bytes are stored once per
    /// tenant and content (a second name for the same bytes shares them).
    pub async fn add_plugin(&self, tenant: &str, new: &NewPlugin, wasm: &[u8]) -> Result<PluginUpload, StoreError> {
        in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let existing =
                sqlx::query(&format!("SELECT {PLUGIN_COLUMNS} FROM tenant_plugins WHERE tenant_id = $1 AND name = $2 AND version = $3"))
                    .bind(tenant)
                    .bind(&new.name)
                    .bind(&new.version)
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing.as_ref().map(plugin_from_row).transpose()? {
                Some(row) if row.sha256 == new.sha256 => (Ok(PluginUpload::Unchanged(row)), false),
                Some(row) => (Ok(PluginUpload::VersionTaken(row)), false),
                None => {
                    sqlx::query(
                        "INSERT INTO plugin_blobs (tenant_id, sha256, wasm) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, sha256) DO NOTHING",
                    )
                    .bind(tenant)
                    .bind(&new.sha256)
                    .bind(wasm.to_vec())
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO tenant_plugins (tenant_id, name, version, sha256, contract, checks, size, enabled, signed_by, \
                         uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10)",
                    )
                    .bind(tenant)
                    .bind(&new.name)
                    .bind(&new.version)
                    .bind(&new.sha256)
                    .bind(&new.contract)
                    .bind(new.checks.to_string())
                    .bind(wasm.len() as i64)
                    .bind(new.signed_by.as_deref())
                    .bind(&new.uploaded_by)
                    .bind(now())
                    .execute(&mut *tx)
                    .await?;
                    let row = sqlx::query(&format!(
                        "SELECT {PLUGIN_COLUMNS} FROM tenant_plugins WHERE tenant_id = $1 AND name = $2 AND version = $3"
                    ))
                    .bind(tenant)
                    .bind(&new.name)
                    .bind(&new.version)
                    .fetch_one(&mut *tx)
                    .await?;
                    (plugin_from_row(&row).map(PluginUpload::Created), true)
                }
            }
        })
    }

    /// Every version of every plugin of a tenant, by name, newest version first.
    pub async fn list_plugins(&self, tenant: &str) -> Result<Vec<PluginRow>, StoreError> {
        let rows = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(&format!(
                "SELECT {PLUGIN_COLUMNS} FROM tenant_plugins WHERE tenant_id = $1 ORDER BY name, created_at DESC, version DESC"
            ))
            .bind(tenant)
            .fetch_all(&mut *tx)
            .await?
        });
        rows.iter().map(plugin_from_row).collect()
    }

    /// Enables or disables one version of a plugin, or all of them (`version: None`);
    /// the versions changed, or none if the plugin (version) does not exist.
    pub async fn set_plugin_enabled(&self, tenant: &str, name: &str, version: Option<&str>, enabled: bool) -> Result<u64, StoreError> {
        Ok(in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let n = sqlx::query(
                "UPDATE tenant_plugins SET enabled = $1 WHERE tenant_id = $2 AND name = $3 AND ($4 = '' OR version = $4) AND enabled <> $1",
            )
            .bind(i64::from(enabled))
            .bind(tenant)
            .bind(name)
            .bind(version.unwrap_or(""))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            (n, n > 0)
        }))
    }

    /// Deletes one version of a plugin or all of them, and the components no version
    /// of the tenant uses any more; the versions deleted.
    pub async fn delete_plugin(&self, tenant: &str, name: &str, version: Option<&str>) -> Result<u64, StoreError> {
        Ok(in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let n = sqlx::query("DELETE FROM tenant_plugins WHERE tenant_id = $1 AND name = $2 AND ($3 = '' OR version = $3)")
                .bind(tenant)
                .bind(name)
                .bind(version.unwrap_or(""))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(
                "DELETE FROM plugin_blobs WHERE tenant_id = $1 AND sha256 NOT IN (SELECT sha256 FROM tenant_plugins WHERE tenant_id = $1)",
            )
            .bind(tenant)
            .execute(&mut *tx)
            .await?;
            (n, n > 0)
        }))
    }

    /// A tenant's component by its SHA-256.
    pub async fn plugin_wasm(&self, tenant: &str, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query_scalar::<_, Vec<u8>>("SELECT wasm FROM plugin_blobs WHERE tenant_id = $1 AND sha256 = $2")
                .bind(tenant)
                .bind(sha256)
                .fetch_optional(&mut *tx)
                .await?
        }))
    }

    /// Registers a public key for plugin signatures; `None` if the tenant has it already.
    pub async fn add_signing_key(
        &self,
        tenant: &str,
        name: &str,
        public_key: &str,
        created_by: &str,
    ) -> Result<Option<SigningKey>, StoreError> {
        let id = new_id("sk_");
        in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let taken = sqlx::query("SELECT id FROM signing_keys WHERE tenant_id = $1 AND public_key = $2")
                .bind(tenant)
                .bind(public_key)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                (Ok(None), false)
            } else {
                sqlx::query(
                    "INSERT INTO signing_keys (id, tenant_id, name, public_key, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&id)
                .bind(tenant)
                .bind(name)
                .bind(public_key)
                .bind(created_by)
                .bind(now())
                .execute(&mut *tx)
                .await?;
                let row = sqlx::query("SELECT id, name, public_key, created_by, created_at FROM signing_keys WHERE id = $1")
                    .bind(&id)
                    .fetch_one(&mut *tx)
                    .await?;
                (key_from_row(&row).map(Some), true)
            }
        })
    }

    /// A tenant's signing keys, oldest first.
    pub async fn list_signing_keys(&self, tenant: &str) -> Result<Vec<SigningKey>, StoreError> {
        let rows = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(
                "SELECT id, name, public_key, created_by, created_at FROM signing_keys WHERE tenant_id = $1 ORDER BY created_at, id",
            )
            .bind(tenant)
            .fetch_all(&mut *tx)
            .await?
        });
        rows.iter().map(key_from_row).collect()
    }

    /// Removes a signing key; `false` if the tenant has none by that id.
    pub async fn delete_signing_key(&self, tenant: &str, id: &str) -> Result<bool, StoreError> {
        Ok(in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let n = sqlx::query("DELETE FROM signing_keys WHERE tenant_id = $1 AND id = $2")
                .bind(tenant)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            (n == 1, n == 1)
        }))
    }

    /// Stores a new version of a tenant's framework (version 1 if it has none).
    /// `create_only`: refuse (return `None`) when the framework exists.
    pub async fn put_framework(&self, tenant: &str, new: &NewFramework, create_only: bool) -> Result<Option<FrameworkRow>, StoreError> {
        in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let id = new.id.as_str();
            let current = current_framework(&mut tx, tenant, id).await?;
            if create_only && current.is_some() {
                (Ok(None), false)
            } else {
                let last: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM tenant_frameworks WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant)
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO tenant_frameworks (tenant_id, id, version, name, source, sha256, uploaded_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(tenant)
                .bind(id)
                .bind(last.unwrap_or(0) + 1)
                .bind(&new.name)
                .bind(&new.source)
                .bind(&new.sha256)
                .bind(&new.uploaded_by)
                .bind(now())
                .execute(&mut *tx)
                .await?;
                (current_framework(&mut tx, tenant, id).await, true)
            }
        })
    }

    /// A tenant's frameworks, current versions, by id.
    pub async fn list_frameworks(&self, tenant: &str) -> Result<Vec<FrameworkRow>, StoreError> {
        let rows = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(&format!(
                "SELECT {FRAMEWORK_COLUMNS} FROM tenant_frameworks f WHERE tenant_id = $1 AND deleted_at IS NULL \
                 AND version = (SELECT MAX(version) FROM tenant_frameworks g WHERE g.tenant_id = f.tenant_id AND g.id = f.id) ORDER BY id"
            ))
            .bind(tenant)
            .fetch_all(&mut *tx)
            .await?
        });
        rows.iter().map(framework_from_row).collect()
    }

    /// The current version of one of a tenant's frameworks.
    pub async fn get_framework(&self, tenant: &str, id: &str) -> Result<Option<FrameworkRow>, StoreError> {
        Ok(in_scope!(self, &Scope::Tenant(tenant.into()), |tx| { current_framework(&mut tx, tenant, id).await? }))
    }

    /// Deletes a tenant's framework (every version; scans that scored it keep their
    /// results); `false` if it has none by that id.
    pub async fn delete_framework(&self, tenant: &str, id: &str) -> Result<bool, StoreError> {
        Ok(in_change!(self, &Scope::Tenant(tenant.into()), None, |tx| {
            let n = sqlx::query("UPDATE tenant_frameworks SET deleted_at = $1 WHERE tenant_id = $2 AND id = $3 AND deleted_at IS NULL")
                .bind(now())
                .bind(tenant)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            (n > 0, n > 0)
        }))
    }
}

async fn current_framework(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: &str,
    id: &str,
) -> Result<Option<FrameworkRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {FRAMEWORK_COLUMNS} FROM tenant_frameworks WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL ORDER BY version DESC LIMIT 1"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(framework_from_row).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, version: &str, at: &str, enabled: bool) -> PluginRow {
        PluginRow {
            name: name.into(),
            version: version.into(),
            sha256: format!("{name}{version}"),
            contract: "securebase:control@1.0.0".into(),
            checks: serde_json::json!([]),
            size: 1,
            enabled,
            signed_by: None,
            uploaded_by: "k".into(),
            created_at: at.into(),
        }
    }

    #[test]
    fn the_newest_enabled_version_of_each_plugin_runs() {
        let rows = [
            row("a", "1.0.0", "2026-01-01", true),
            row("a", "2.0.0", "2026-02-01", true),
            row("a", "3.0.0", "2026-03-01", false),
            row("b", "1.0.0", "2026-01-01", false),
            row("c", "0.1.0", "2026-01-01", true),
        ];
        let run: Vec<(&str, &str)> = to_run(&rows).iter().map(|r| (r.name.as_str(), r.version.as_str())).collect();
        assert_eq!(run, [("a", "2.0.0"), ("c", "0.1.0")]);
    }
}
