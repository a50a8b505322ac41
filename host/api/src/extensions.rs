//! `/v1/tenants/{id}/plugins`, `/signing-keys` and `/frameworks`: what a tenant brings
//! to its own scans.
//!
//! A plugin upload is validated exactly as the sandbox validates any plugin it loads
//! (contract major version, import allow-list, compile, metadata read under the
//! sandbox's limits), then against what the service and the tenant already run (check
//! ids are unique), then against the tenant's signing keys, if it has registered any.
//! Only then is it stored; workers load it from the database on the tenant's scans.

use crate::auth::{principal, visible_tenant};
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use securebase_kit::signing::{self, BadSignature};
use securebase_scoring::Framework;
use securebase_store::{FrameworkRow, NewPlugin, PluginRow, PluginUpload, plugins_to_run};
use serde::Deserialize;
use serde_json::{Value, json};

/// The header carrying a plugin's detached signature.
pub(crate) const SIGNATURE_HEADER: &str = "x-securebase-signature";

fn unprocessable(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

/// The raw body of an upload, sent as `media`.
fn upload_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>, media: &str) -> Result<Bytes, AppError> {
    let bytes = crate::error::body_bytes(body)?;
    let sent = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if sent.split(';').next().map(str::trim) != Some(media) {
        return Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send the upload as Content-Type: {media} (it was sent as {:?})", sent),
        ));
    }
    if bytes.is_empty() {
        // The right media type with nothing in it: a body the service cannot take, like
        // any other that is not a component or a framework file.
        return Err(unprocessable("empty_upload", format!("the upload is empty: send the {media} file as the body")));
    }
    Ok(bytes)
}

/// A stored version as the API shows it; `running` when the tenant's scans run it.
fn plugin_json(row: &PluginRow, running: bool) -> Value {
    let mut v = serde_json::to_value(row).expect("plugin rows serialize");
    v["running"] = json!(running);
    v
}

/// The versions of `rows` (of one plugin, with `only`) and whether each runs.
fn plugin_list(rows: &[PluginRow], only: Option<&str>) -> Value {
    let running: Vec<(&str, &str)> = plugins_to_run(rows).iter().map(|r| (r.name.as_str(), r.version.as_str())).collect();
    let items: Vec<Value> = rows
        .iter()
        .filter(|r| only.is_none_or(|n| r.name == n))
        .map(|r| plugin_json(r, running.contains(&(r.name.as_str(), r.version.as_str()))))
        .collect();
    json!({ "items": items })
}

/// The first of `checks` another enabled plugin (not `name`) of the tenant provides.
fn taken_check<'a>(rows: &'a [PluginRow], name: &str, checks: &[String]) -> Option<(String, &'a str)> {
    plugins_to_run(rows).into_iter().filter(|r| r.name != name).find_map(|r| {
        let theirs = r.check_ids();
        checks.iter().find(|c| theirs.contains(c)).map(|c| (c.clone(), r.name.as_str()))
    })
}

/// Checks the detached signature when the tenant has signing keys; the key's id.
async fn verify_signature(state: &AppState, tenant: &str, headers: &HeaderMap, wasm: &[u8]) -> Result<Option<String>, AppError> {
    let keys = state.store.list_signing_keys(tenant).await?;
    if keys.is_empty() {
        return Ok(None);
    }
    let Some(sent) = headers.get(SIGNATURE_HEADER) else {
        return Err(unprocessable(
            "signature_required",
            format!(
                "this tenant accepts signed plugins only ({} signing key(s) registered): send the Ed25519 signature of the \
                 component, base64, in the X-SecureBase-Signature header (securebase plugin sign makes it)",
                keys.len()
            ),
        ));
    };
    let bad = |why: &str| unprocessable("signature_invalid", format!("X-SecureBase-Signature: {why}"));
    let signature = signing::decode_signature(sent.as_bytes()).map_err(|e| match e {
        BadSignature::NotBase64 => bad("not base64 (standard alphabet, padded)"),
        BadSignature::Length(n) => bad(&format!("{n} bytes, an Ed25519 signature has 64")),
    })?;
    for k in &keys {
        if let Some(key) = signing::decode_public_key(&k.public_key)
            && signing::verifies(&key, wasm, &signature)
        {
            return Ok(Some(k.id.clone()));
        }
    }
    Err(bad(&format!("the signature is not by any of this tenant's {} signing key(s) over these bytes", keys.len())))
}

/// `POST /v1/tenants/{id}/plugins`.
pub(crate) async fn upload_plugin(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let wasm = upload_body(&headers, body, crate::routes::WASM)?;
    let signed_by = verify_signature(&state, &id, &headers, &wasm).await?;
    // Compiling is CPU work (seconds for a large component): off the async threads.
    let scanner = state.scanner.clone();
    let bytes = wasm.clone();
    let loaded = tokio::task::spawn_blocking(move || scanner.load_plugin("the uploaded component", &bytes))
        .await
        .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("validating the component: {e}")))?
        .map_err(|e| unprocessable("invalid_plugin", e.to_string()))?;
    let info = loaded.info();
    let builtin: Vec<&str> = state.scanner.plugins().iter().flat_map(|p| p.info().checks.iter().map(|c| c.id.as_str())).collect();
    if let Some(c) = info.checks.iter().find(|c| builtin.contains(&c.id.as_str())) {
        return Err(unprocessable("check_id_taken", format!("check id {} is a built-in check; give yours an id of its own", c.id)));
    }
    if let Some(b) = state.scanner.plugins().iter().find(|b| b.info().name == info.name) {
        return Err(unprocessable("invalid_plugin", format!("plugin name {} is a built-in plugin's; rename yours", b.info().name)));
    }
    let rows = state.store.list_plugins(&id).await?;
    let ids: Vec<String> = info.checks.iter().map(|c| c.id.clone()).collect();
    if let Some((check, other)) = taken_check(&rows, &info.name, &ids) {
        return Err(unprocessable("check_id_taken", format!("check id {check} is provided by your enabled plugin {other}")));
    }
    let checks: Vec<Value> = info
        .checks
        .iter()
        .map(|c| json!({ "id": c.id, "title": c.title, "severity": c.severity.as_str(), "resource_types": c.resource_types }))
        .collect();
    let new = NewPlugin {
        name: info.name.clone(),
        version: info.version.clone(),
        sha256: info.sha256.clone(),
        contract: loaded.contract().to_string(),
        checks: Value::Array(checks),
        signed_by,
        uploaded_by: principal(&ext).actor(),
    };
    let (status, row) = match state.store.add_plugin(&id, &new, &wasm).await? {
        PluginUpload::Created(row) => (StatusCode::CREATED, row),
        PluginUpload::Unchanged(row) => (StatusCode::OK, row),
        PluginUpload::VersionTaken(row) => {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "version_exists",
                format!(
                    "plugin {} version {} was uploaded before with other bytes (sha256 {}); versions are immutable: raise the version",
                    row.name, row.version, row.sha256
                ),
            ));
        }
    };
    let rows = state.store.list_plugins(&id).await?;
    let running = plugins_to_run(&rows).iter().any(|r| r.name == row.name && r.version == row.version);
    Ok((status, Json(plugin_json(&row, running))).into_response())
}

/// `GET /v1/tenants/{id}/plugins`.
pub(crate) async fn list_plugins(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    Ok(Json(plugin_list(&state.store.list_plugins(&id).await?, None)))
}

/// A plugin's versions, or 404.
async fn versions(state: &AppState, tenant: &str, name: &str) -> Result<Vec<PluginRow>, AppError> {
    let rows = state.store.list_plugins(tenant).await?;
    if !rows.iter().any(|r| r.name == name) {
        return Err(AppError::not_found("plugin", name));
    }
    Ok(rows)
}

/// `GET /v1/tenants/{id}/plugins/{plugin}`.
pub(crate) async fn show_plugin(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, name)): Path<(String, String)>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let rows = versions(&state, &id, &name).await?;
    Ok(Json(plugin_list(&rows, Some(&name))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PluginPatch {
    enabled: bool,
    version: Option<String>,
}

/// `PATCH /v1/tenants/{id}/plugins/{plugin}`.
pub(crate) async fn patch_plugin(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, name)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let req: PluginPatch = crate::error::parse_body(body)?;
    let rows = versions(&state, &id, &name).await?;
    let version = req.version.as_deref();
    if let Some(v) = version
        && !rows.iter().any(|r| r.name == name && r.version == v)
    {
        return Err(AppError::not_found("plugin version", &format!("{name} {v}")));
    }
    if req.enabled {
        // What would run after the change must not provide a check twice.
        let after: Vec<PluginRow> = rows
            .iter()
            .cloned()
            .map(|mut r| {
                if r.name == name && version.is_none_or(|v| v == r.version) {
                    r.enabled = true;
                }
                r
            })
            .collect();
        if let Some(mine) = plugins_to_run(&after).into_iter().find(|r| r.name == name)
            && let Some((check, other)) = taken_check(&after, &name, &mine.check_ids())
        {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "check_id_taken",
                format!("check id {check} is provided by your enabled plugin {other}: disable it first"),
            ));
        }
    }
    state.store.set_plugin_enabled(&id, &name, version, req.enabled).await?;
    Ok(Json(plugin_list(&state.store.list_plugins(&id).await?, Some(&name))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VersionQuery {
    version: Option<String>,
}

/// `DELETE /v1/tenants/{id}/plugins/{plugin}`.
pub(crate) async fn delete_plugin(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, name)): Path<(String, String)>,
    q: Result<Query<VersionQuery>, QueryRejection>,
) -> Result<StatusCode, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let q = crate::error::parse_query(q)?;
    if state.store.delete_plugin(&id, &name, q.version.as_deref()).await? == 0 {
        let what = match &q.version {
            Some(v) => format!("{name} {v}"),
            None => name,
        };
        return Err(AppError::not_found("plugin", &what));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewSigningKey {
    name: Option<String>,
    public_key: String,
}

/// `POST /v1/tenants/{id}/signing-keys`.
pub(crate) async fn add_signing_key(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let req: NewSigningKey = crate::error::parse_body(body)?;
    let name = req.name.unwrap_or_else(|| "signing key".into());
    if name.trim().is_empty() || name.len() > 200 || name.chars().any(char::is_control) {
        return Err(unprocessable("invalid_body", "field name: 1 to 200 characters, no control characters"));
    }
    let key = signing::decode_public_key(&req.public_key).ok_or_else(|| {
        unprocessable("invalid_body", "field public_key: expected an Ed25519 public key, 32 bytes in base64 (standard alphabet)")
    })?;
    // Stored in one spelling, so the same key twice is recognised.
    let canonical = signing::encode_public_key(&key);
    let created = state.store.add_signing_key(&id, &name, &canonical, &principal(&ext).actor()).await?;
    let key =
        created.ok_or_else(|| AppError::new(StatusCode::CONFLICT, "signing_key_exists", "this tenant has this public key already"))?;
    Ok((StatusCode::CREATED, Json(key)).into_response())
}

/// `GET /v1/tenants/{id}/signing-keys`.
pub(crate) async fn list_signing_keys(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    Ok(Json(json!({ "items": state.store.list_signing_keys(&id).await? })))
}

/// `DELETE /v1/tenants/{id}/signing-keys/{signing_key}`.
pub(crate) async fn delete_signing_key(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, key)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    if !state.store.delete_signing_key(&id, &key).await? {
        return Err(AppError::not_found("signing key", &key));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// A framework as the API shows it.
fn framework_json(row: &FrameworkRow, with_source: bool) -> Value {
    let parsed = Framework::parse(&row.source, &row.id).ok();
    let (requirements, manual) =
        parsed.map(|f| (f.requirements.len(), f.requirements.iter().filter(|r| r.checks.is_empty()).count())).unwrap_or((0, 0));
    let mut v = serde_json::to_value(row).expect("framework rows serialize");
    v["requirements"] = json!(requirements);
    v["manual"] = json!(manual);
    if with_source {
        v["source"] = json!(row.source);
    }
    v
}

/// Whether a check id is one the tenant's scans run: a built-in plugin's or one of its
/// enabled plugins'.
pub(crate) async fn known_checks<'a>(state: &'a AppState, tenant: &str) -> Result<impl Fn(&str) -> bool + 'a, AppError> {
    let rows = state.store.list_plugins(tenant).await?;
    let own: Vec<String> = plugins_to_run(&rows).into_iter().flat_map(PluginRow::check_ids).collect();
    Ok(move |c: &str| state.scanner.plugins().iter().any(|p| p.info().check(c).is_some()) || own.iter().any(|o| o == c))
}

/// Parses an uploaded framework file and checks it against the checks the tenant's
/// scans run (built-in ones and its enabled plugins').
async fn checked_framework(state: &AppState, tenant: &str, text: &str) -> Result<Framework, AppError> {
    let known = known_checks(state, tenant).await?;
    let fw = Framework::parse_against(text, "framework", &known)
        .map_err(|problems| unprocessable("invalid_framework", format!("{} problem(s): {}", problems.len(), problems.join("; "))))?;
    if state.scanner.frameworks().iter().any(|b| b.id == fw.id) {
        return Err(unprocessable(
            "invalid_framework",
            format!("framework id {} is a built-in framework's; give yours an id of its own", fw.id),
        ));
    }
    Ok(fw)
}

fn new_framework(fw: &Framework, source: String, ext: &axum::http::Extensions) -> securebase_store::NewFramework {
    securebase_store::NewFramework {
        id: fw.id.clone(),
        name: fw.name.clone(),
        source,
        sha256: fw.sha256.clone(),
        uploaded_by: principal(ext).actor(),
    }
}

fn framework_text(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<String, AppError> {
    let bytes = upload_body(headers, body, crate::routes::TOML)?;
    String::from_utf8(bytes.to_vec()).map_err(|e| unprocessable("invalid_framework", format!("the file is not UTF-8 text: {e}")))
}

/// `POST /v1/tenants/{id}/frameworks`.
pub(crate) async fn create_framework(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let text = framework_text(&headers, body)?;
    let fw = checked_framework(&state, &id, &text).await?;
    let row = state.store.put_framework(&id, &new_framework(&fw, text, &ext), true).await?;
    let row = row.ok_or_else(|| {
        AppError::new(
            StatusCode::CONFLICT,
            "framework_exists",
            format!("this tenant has a framework {} already: PUT /v1/tenants/{id}/frameworks/{} uploads a new version", fw.id, fw.id),
        )
    })?;
    Ok((StatusCode::CREATED, Json(framework_json(&row, false))).into_response())
}

/// `PUT /v1/tenants/{id}/frameworks/{framework}`.
pub(crate) async fn put_framework(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, framework)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let text = framework_text(&headers, body)?;
    let fw = checked_framework(&state, &id, &text).await?;
    if fw.id != framework {
        return Err(unprocessable("invalid_framework", format!("the file's id is {}, the path's {framework}", fw.id)));
    }
    let row = state.store.put_framework(&id, &new_framework(&fw, text, &ext), false).await?;
    let row = row.ok_or_else(|| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the new version was not stored"))?;
    Ok((StatusCode::CREATED, Json(framework_json(&row, false))).into_response())
}

/// `GET /v1/tenants/{id}/frameworks`.
pub(crate) async fn list_frameworks(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let rows = state.store.list_frameworks(&id).await?;
    Ok(Json(json!({ "items": rows.iter().map(|r| framework_json(r, false)).collect::<Vec<_>>() })))
}

/// `GET /v1/tenants/{id}/frameworks/{framework}`.
pub(crate) async fn show_framework(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, framework)): Path<(String, String)>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let row = state.store.get_framework(&id, &framework).await?.ok_or_else(|| AppError::not_found("framework", &framework))?;
    Ok(Json(framework_json(&row, true)))
}

/// `DELETE /v1/tenants/{id}/frameworks/{framework}`.
pub(crate) async fn delete_framework(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, framework)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let tenant = visible_tenant(&state, &ext, &id).await?;
    if state.store.get_framework(&id, &framework).await?.is_none() {
        return Err(AppError::not_found("framework", &framework));
    }
    if tenant.framework == framework {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "framework_in_use",
            format!("{framework} is this tenant's framework: PATCH the tenant's framework to another one first"),
        ));
    }
    state.store.delete_framework(&id, &framework).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A built-in framework, or the current version of one of the tenant's own. An id that
/// cannot be one is a 400; one that could but names nothing is a 404 (like any other
/// id of the tenant's) naming those that exist.
pub(crate) async fn framework_of(state: &AppState, tenant: &str, id: &str) -> Result<Framework, AppError> {
    if !securebase_scoring::is_framework_id(id) {
        return Err(AppError::bad_request(format!("framework: {id:?} is not a framework id (lower-case letters, digits and '-')")));
    }
    if let Some(f) = state.scanner.frameworks().iter().find(|f| f.id == id) {
        return Ok(f.clone());
    }
    if let Some(row) = state.store.get_framework(tenant, id).await? {
        return Framework::parse(&row.source, &format!("framework {} version {}", row.id, row.version))
            .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()));
    }
    let own = state.store.list_frameworks(tenant).await?;
    let known: Vec<&str> = state.scanner.frameworks().iter().map(|f| f.id.as_str()).chain(own.iter().map(|f| f.id.as_str())).collect();
    Err(AppError::new(StatusCode::NOT_FOUND, "not_found", format!("framework: no framework {id:?}; expected one of {}", known.join(", "))))
}
