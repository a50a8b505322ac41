//! `/v1/tenants`: operators create, list, change and delete tenants and mint their
//! keys; a tenant key reads its own tenant (with its compliance status) and its audit
//! log.

use crate::auth::{AuditTenant, principal, visible_tenant};
use crate::meta::page;
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{Extensions, StatusCode};
use axum::response::{IntoResponse, Response};
use securebase_store::{KeyKind, NewTenant, Paged, Tenant, TenantAccount, TenantPatch, Tier};
use serde::Deserialize;
use serde_json::{Value, json};

/// `POST /v1/tenants`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateTenant {
    name: String,
    tier: Tier,
    framework: String,
    organization: String,
    contact_email: String,
    billing_code: String,
    #[serde(default)]
    accounts: Vec<TenantAccount>,
}

/// `PATCH /v1/tenants/{id}`: any subset of the fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateTenant {
    name: Option<String>,
    tier: Option<Tier>,
    framework: Option<String>,
    organization: Option<String>,
    contact_email: Option<String>,
    billing_code: Option<String>,
    accounts: Option<Vec<TenantAccount>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageQuery {
    skip: Option<u64>,
    limit: Option<u64>,
}

impl PageQuery {
    pub(crate) fn skip(&self) -> Option<u64> {
        self.skip
    }
    pub(crate) fn limit(&self) -> Option<u64> {
        self.limit
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteQuery {
    confirmation: Option<bool>,
}

pub(crate) fn text(field: &str, value: &str, max: usize) -> Result<(), AppError> {
    if value.trim().is_empty() {
        return Err(AppError::bad_request(format!("field {field}: must not be empty")));
    }
    if value.chars().count() > max {
        return Err(AppError::bad_request(format!("field {field}: at most {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::bad_request(format!("field {field}: control characters are not allowed")));
    }
    Ok(())
}

fn email(value: &str) -> Result<(), AppError> {
    text("contact_email", value, 254)?;
    let ok = value.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !value.chars().any(char::is_whitespace)
    });
    if ok { Ok(()) } else { Err(AppError::bad_request(format!("field contact_email: {value:?} is not an email address"))) }
}

/// A malformed id is a bad request; a well-formed one that names no framework is a
/// body the service cannot take (422), naming those it could.
fn framework(state: &AppState, id: &str, own: &[String]) -> Result<(), AppError> {
    if !securebase_scoring::is_framework_id(id) {
        return Err(AppError::bad_request(format!("field framework: {id:?} is not a framework id (lower-case letters, digits and '-')")));
    }
    if state.scanner.frameworks().iter().any(|f| f.id == id) || own.iter().any(|o| o == id) {
        return Ok(());
    }
    let known: Vec<_> = state.scanner.frameworks().iter().map(|f| f.id.as_str()).chain(own.iter().map(String::as_str)).collect();
    Err(AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_framework",
        format!("field framework: unknown framework {id:?}; expected one of {}", known.join(", ")),
    ))
}

fn accounts(list: &[TenantAccount]) -> Result<(), AppError> {
    let mut seen = std::collections::HashSet::new();
    for (i, a) in list.iter().enumerate() {
        let at = format!("field accounts[{i}]");
        if !securebase_inventory::is_account_id(&a.account_id) {
            return Err(AppError::bad_request(format!("{at}.account_id: expected 12 digits, found {:?}", a.account_id)));
        }
        if !seen.insert(&a.account_id) {
            return Err(AppError::bad_request(format!("{at}.account_id: {} is listed twice", a.account_id)));
        }
        if let Some(r) = a.regions.iter().find(|r| !securebase_collect::is_region(r)) {
            return Err(AppError::bad_request(format!("{at}.regions: {r:?} is not an AWS region name (like us-east-1)")));
        }
        if let Some(arn) = &a.role_arn {
            securebase_collect::check_role_arn(&a.account_id, arn).map_err(|m| AppError::bad_request(format!("{at}.role_arn: {m}")))?;
        }
    }
    Ok(())
}

/// An account without a role would be collected with the service's own credentials:
/// any tenant could then scan whatever those reach (the confused deputy). Only a
/// single-tenant instance started with `--allow-ambient-credentials` allows it.
fn ambient_credentials(state: &AppState, list: &[TenantAccount]) -> Result<(), AppError> {
    if state.config.worker.allow_ambient_credentials {
        return Ok(());
    }
    match list.iter().position(|a| a.role_arn.is_none()) {
        Some(i) => Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "role_arn_required",
            format!(
                "field accounts[{i}].role_arn: required; the service reaches a tenant's accounts only by assuming a role \
                 whose trust policy requires this tenant's aws_external_id (see GET /v1/tenants/{{id}})"
            ),
        )),
        None => Ok(()),
    }
}

/// The fields of a create or a patch that need more than their JSON type to be valid.
struct TenantFields<'a> {
    name: Option<&'a str>,
    organization: Option<&'a str>,
    billing_code: Option<&'a str>,
    contact_email: Option<&'a str>,
    framework: Option<&'a str>,
    /// The tenant's own frameworks, which its `framework` may name too.
    own_frameworks: &'a [String],
    accounts: Option<&'a [TenantAccount]>,
}

fn validate(state: &AppState, f: &TenantFields<'_>) -> Result<(), AppError> {
    for (field, value, max) in [("name", f.name, 200), ("organization", f.organization, 200), ("billing_code", f.billing_code, 64)] {
        if let Some(v) = value {
            text(field, v, max)?;
        }
    }
    if let Some(v) = f.contact_email {
        email(v)?;
    }
    if let Some(v) = f.framework {
        framework(state, v, f.own_frameworks)?;
    }
    if let Some(v) = f.accounts {
        accounts(v)?;
        ambient_credentials(state, v)?;
    }
    Ok(())
}

/// The tenant with its compliance status against its framework.
pub(crate) async fn with_status(state: &AppState, t: Tenant) -> Result<Value, AppError> {
    // Keys limited to an audit window do not see a tenant's page (routes::Window::Refused).
    let last = state.store.latest_succeeded_scan(&t.id, None).await?;
    let compliance = match &last {
        None => json!({ "framework": t.framework, "last_scan": null, "passing": null, "total_controls": null, "score": null }),
        Some(scan) => {
            let digest = state.store.scan_digest(&t.id, &scan.id).await?;
            let summary = digest.as_ref().and_then(|d| d.frameworks.iter().find(|f| f.framework == t.framework)).map(|f| f.summary);
            json!({
                "framework": t.framework,
                "last_scan": { "id": scan.id, "finished_at": scan.finished_at },
                "passing": summary.as_ref().map(|s| s.passing),
                "total_controls": summary.as_ref().map(|s| s.total_controls),
                "score": summary.as_ref().and_then(|s| s.score),
            })
        }
    };
    let mut v = serde_json::to_value(&t).expect("tenants serialize");
    v["compliance"] = compliance;
    v["usage"] = crate::billing::month_summary(state, &t.id).await?;
    Ok(v)
}

pub(crate) async fn create(State(state): State<AppState>, body: Result<Bytes, BytesRejection>) -> Result<Response, AppError> {
    let req: CreateTenant = crate::error::parse_body(body)?;
    validate(
        &state,
        &TenantFields {
            name: Some(&req.name),
            organization: Some(&req.organization),
            billing_code: Some(&req.billing_code),
            contact_email: Some(&req.contact_email),
            framework: Some(&req.framework),
            own_frameworks: &[],
            accounts: Some(&req.accounts),
        },
    )?;
    let t = state
        .store
        .create_tenant(&NewTenant {
            name: req.name,
            tier: req.tier,
            framework: req.framework,
            organization: req.organization,
            contact_email: req.contact_email,
            billing_code: req.billing_code,
            accounts: req.accounts,
        })
        .await?;
    let key = state.store.create_key(&KeyKind::Tenant(t.id.clone()), "created with the tenant").await?;
    let id = t.id.clone();
    let mut body = with_status(&state, t).await?;
    body["api_key"] = json!({ "id": key.id, "token": key.token, "note": "shown once: store it now" });
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    response.extensions_mut().insert(AuditTenant(id));
    Ok(response)
}

pub(crate) async fn list(
    State(state): State<AppState>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Paged<Tenant>>, AppError> {
    let q = crate::error::parse_query(q)?;
    Ok(Json(state.store.list_tenants(page(q.skip, q.limit)?).await?))
}

pub(crate) async fn show(State(state): State<AppState>, ext: Extensions, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    let t = visible_tenant(&state, &ext, &id).await?;
    Ok(Json(with_status(&state, t).await?))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let req: UpdateTenant = crate::error::parse_body(body)?;
    let own: Vec<String> = state.store.list_frameworks(&id).await?.into_iter().map(|f| f.id).collect();
    validate(
        &state,
        &TenantFields {
            name: req.name.as_deref(),
            organization: req.organization.as_deref(),
            billing_code: req.billing_code.as_deref(),
            contact_email: req.contact_email.as_deref(),
            framework: req.framework.as_deref(),
            own_frameworks: &own,
            accounts: req.accounts.as_deref(),
        },
    )?;
    let patch = TenantPatch {
        name: req.name,
        tier: req.tier,
        framework: req.framework,
        organization: req.organization,
        contact_email: req.contact_email,
        billing_code: req.billing_code,
        accounts: req.accounts,
    };
    let t = state.store.update_tenant(&id, &patch).await?.ok_or_else(|| AppError::not_found("tenant", &id))?;
    Ok(Json(with_status(&state, t).await?))
}

/// Gives the tenant a new AWS external ID; the old one stops working at once, so the
/// tenant's roles must be updated before its next scan of accounts.
pub(crate) async fn rotate_external_id(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let t = state.store.rotate_external_id(&id).await?.ok_or_else(|| AppError::not_found("tenant", &id))?;
    Ok(Json(with_status(&state, t).await?))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    q: Result<Query<DeleteQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    if crate::error::parse_query(q)?.confirmation != Some(true) {
        return Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "confirmation_required",
            "deleting a tenant revokes its keys and hides its data; repeat with ?confirmation=true",
        ));
    }
    if !state.store.delete_tenant(&id).await? {
        return Err(AppError::not_found("tenant", &id));
    }
    Ok(Json(json!({ "id": id, "deleted": true, "note": "soft delete: the tenant's records are kept for audit" })))
}

pub(crate) async fn audit(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    let p = principal(&ext);
    // Operators may read a deleted tenant's log: that is what it is kept for.
    let visible = match &p.kind {
        KeyKind::Admin => state.store.tenant_existed(&id).await?,
        KeyKind::Tenant(own) => own == &id,
    };
    if !visible {
        return Err(AppError::not_found("tenant", &id));
    }
    let q = crate::error::parse_query(q)?;
    Ok(Json(serde_json::to_value(state.store.audit_log(&id, page(q.skip, q.limit)?).await?).expect("serializes")))
}
