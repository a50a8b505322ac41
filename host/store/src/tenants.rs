//! Tenants: the customer organizations an operator runs scans for. Deleting one is a
//! soft delete: the row stays (its audit log refers to it), the tenant disappears from
//! every read and its keys stop working.

use crate::{Page, Paged, Scope, Store, StoreError, col, count, new_id, now, page_args, parse_col};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use std::fmt;
use std::str::FromStr;

/// A pricing tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// HIPAA customers.
    Healthcare,
    /// SOC 2 customers.
    Fintech,
    /// FedRAMP customers.
    GovFederal,
    /// CIS customers.
    Standard,
}

impl Tier {
    /// Every tier, in the order price lists show them.
    pub const ALL: [Tier; 4] = [Tier::Healthcare, Tier::Fintech, Tier::GovFederal, Tier::Standard];

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Healthcare => "healthcare",
            Tier::Fintech => "fintech",
            Tier::GovFederal => "gov-federal",
            Tier::Standard => "standard",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Tier {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Tier::ALL.into_iter().find(|t| t.as_str() == s).ok_or(())
    }
}

/// An AWS account a tenant wants scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantAccount {
    /// Twelve digits.
    pub account_id: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Regions to scan; empty means the account's enabled regions.
    #[serde(default)]
    pub regions: Vec<String>,
    /// The read-only role to assume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
}

/// A tenant as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tenant {
    /// Its id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Pricing tier.
    pub tier: Tier,
    /// The framework its compliance status is reported against.
    pub framework: String,
    /// The organization's legal name, for reports.
    pub organization: String,
    /// Who to contact.
    pub contact_email: String,
    /// The operator's billing reference.
    pub billing_code: String,
    /// Accounts in scope.
    pub accounts: Vec<TenantAccount>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// What creating a tenant takes (validated by the caller).
#[derive(Debug, Clone, PartialEq)]
pub struct NewTenant {
    /// Display name.
    pub name: String,
    /// Pricing tier.
    pub tier: Tier,
    /// Framework id.
    pub framework: String,
    /// Organization name.
    pub organization: String,
    /// Contact email.
    pub contact_email: String,
    /// Billing code.
    pub billing_code: String,
    /// Accounts in scope.
    pub accounts: Vec<TenantAccount>,
}

/// A partial update; `None` keeps the field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TenantPatch {
    /// Display name.
    pub name: Option<String>,
    /// Pricing tier.
    pub tier: Option<Tier>,
    /// Framework id.
    pub framework: Option<String>,
    /// Organization name.
    pub organization: Option<String>,
    /// Contact email.
    pub contact_email: Option<String>,
    /// Billing code.
    pub billing_code: Option<String>,
    /// Accounts in scope.
    pub accounts: Option<Vec<TenantAccount>>,
}

const COLUMNS: &str = "id, name, tier, framework, organization, contact_email, billing_code, accounts, created_at, updated_at";

fn from_row(row: &AnyRow) -> Result<Tenant, StoreError> {
    let accounts: String = col(row, "accounts")?;
    Ok(Tenant {
        id: col(row, "id")?,
        name: col(row, "name")?,
        tier: parse_col(row, "tier")?,
        framework: col(row, "framework")?,
        organization: col(row, "organization")?,
        contact_email: col(row, "contact_email")?,
        billing_code: col(row, "billing_code")?,
        accounts: serde_json::from_str(&accounts).map_err(|e| StoreError::Corrupt(format!("column accounts: {e}")))?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

fn accounts_json(accounts: &[TenantAccount]) -> String {
    serde_json::to_string(accounts).expect("accounts serialize")
}

/// Appends to the tier history, which prorates base fees.
async fn record_tier(tx: &mut sqlx::Transaction<'static, sqlx::Any>, tenant: &str, tier: Tier, at: &str) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO tier_history (tenant_id, tier, effective_at) VALUES ($1, $2, $3)")
        .bind(tenant)
        .bind(tier.as_str())
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A live tenant, in a transaction already bound to it.
pub(crate) async fn live_tenant_in(tx: &mut sqlx::Transaction<'static, sqlx::Any>, id: &str) -> Result<Option<Tenant>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tenants WHERE id = $1 AND deleted_at IS NULL"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(from_row).transpose()
}

impl Store {
    /// Creates a tenant.
    pub async fn create_tenant(&self, t: &NewTenant) -> Result<Tenant, StoreError> {
        let id = new_id("t_");
        let at = now();
        in_scope!(self, &Scope::Admin, |tx| {
            sqlx::query(&format!("INSERT INTO tenants ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
                .bind(&id)
                .bind(&t.name)
                .bind(t.tier.as_str())
                .bind(&t.framework)
                .bind(&t.organization)
                .bind(&t.contact_email)
                .bind(&t.billing_code)
                .bind(accounts_json(&t.accounts))
                .bind(&at)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
            record_tier(&mut tx, &id, t.tier, &at).await?;
        });
        Ok(self.get_tenant(&id).await?.expect("a tenant just created is readable"))
    }

    /// Live tenants, oldest first.
    pub async fn list_tenants(&self, page: Page) -> Result<Paged<Tenant>, StoreError> {
        let (total, rows) = in_scope!(self, &Scope::Admin, |tx| {
            let total = count(&sqlx::query("SELECT COUNT(*) FROM tenants WHERE deleted_at IS NULL").fetch_one(&mut *tx).await?)?;
            let (limit, skip) = page_args(page);
            let rows =
                sqlx::query(&format!("SELECT {COLUMNS} FROM tenants WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT $1 OFFSET $2"))
                    .bind(limit)
                    .bind(skip)
                    .fetch_all(&mut *tx)
                    .await?;
            (total, rows)
        });
        let items = rows.iter().map(from_row).collect::<Result<_, _>>()?;
        Ok(Paged { items, total, skip: page.skip, limit: page.limit })
    }

    /// A live tenant, read in that tenant's own scope.
    pub async fn get_tenant(&self, id: &str) -> Result<Option<Tenant>, StoreError> {
        let tenant = in_scope!(self, &Scope::Tenant(id.to_string()), |tx| live_tenant_in(&mut tx, id).await?);
        Ok(tenant)
    }

    /// Applies a patch to a live tenant; `None` if there is none with that id.
    pub async fn update_tenant(&self, id: &str, patch: &TenantPatch) -> Result<Option<Tenant>, StoreError> {
        let Some(mut t) = self.get_tenant(id).await? else { return Ok(None) };
        let old_tier = t.tier;
        if let Some(v) = &patch.name {
            t.name.clone_from(v);
        }
        if let Some(v) = patch.tier {
            t.tier = v;
        }
        if let Some(v) = &patch.framework {
            t.framework.clone_from(v);
        }
        if let Some(v) = &patch.organization {
            t.organization.clone_from(v);
        }
        if let Some(v) = &patch.contact_email {
            t.contact_email.clone_from(v);
        }
        if let Some(v) = &patch.billing_code {
            t.billing_code.clone_from(v);
        }
        if let Some(v) = &patch.accounts {
            t.accounts.clone_from(v);
        }
        let mut tx = self.tenant_transaction(&Scope::Admin).await?;
        let done = sqlx::query(
            "UPDATE tenants SET name = $1, tier = $2, framework = $3, organization = $4, contact_email = $5, \
             billing_code = $6, accounts = $7, updated_at = $8 WHERE id = $9 AND deleted_at IS NULL",
        )
        .bind(&t.name)
        .bind(t.tier.as_str())
        .bind(&t.framework)
        .bind(&t.organization)
        .bind(&t.contact_email)
        .bind(&t.billing_code)
        .bind(accounts_json(&t.accounts))
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        if t.tier != old_tier {
            record_tier(&mut tx, id, t.tier, &now()).await?;
        }
        tx.commit().await?;
        self.get_tenant(id).await
    }

    /// Soft-deletes a live tenant and revokes its keys. Returns whether it existed.
    pub async fn delete_tenant(&self, id: &str) -> Result<bool, StoreError> {
        let at = now();
        let done = in_scope!(self, &Scope::Admin, |tx| {
            let done = sqlx::query("UPDATE tenants SET deleted_at = $1, updated_at = $1 WHERE id = $2 AND deleted_at IS NULL")
                .bind(&at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE tenant_id = $2 AND revoked_at IS NULL")
                .bind(&at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            // A deleted tenant is scanned no more.
            self.bind_tenant(&mut tx, id).await?;
            sqlx::query("UPDATE schedules SET deleted_at = $1 WHERE tenant_id = $2 AND deleted_at IS NULL")
                .bind(&at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            crate::webhooks::cancel_pending(&mut tx, id, "the tenant was deleted").await?;
            done
        });
        Ok(done.rows_affected() > 0)
    }

    /// A tenant's current tier, deleted or not (usage is priced with it).
    pub async fn tenant_tier(&self, id: &str) -> Result<Option<Tier>, StoreError> {
        let row = in_scope!(self, &Scope::Tenant(id.to_string()), |tx| {
            sqlx::query("SELECT tier FROM tenants WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?
        });
        row.as_ref().map(|r| parse_col(r, "tier")).transpose()
    }

    /// Whether a tenant with this id ever existed (deleted ones included), for the
    /// audit log of a deleted tenant.
    pub async fn tenant_existed(&self, id: &str) -> Result<bool, StoreError> {
        let row = in_scope!(self, &Scope::Admin, |tx| {
            sqlx::query("SELECT COUNT(*) FROM tenants WHERE id = $1").bind(id).fetch_one(&mut *tx).await?
        });
        Ok(count(&row)? > 0)
    }
}
