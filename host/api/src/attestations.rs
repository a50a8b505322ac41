//! A tenant's attestations of manual requirements, with their evidence files: created
//! with a multipart body (a JSON part `attestation`, file parts `evidence`), listed,
//! read, deleted, and each evidence file downloaded by its SHA-256 (a `read` key can:
//! that is the auditor). Every scan applies the attestations valid at its start.

use crate::auth::{principal, visible_tenant};
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use securebase_attestations::{Attestation, Evidence};
use securebase_store::{AttestationRow, AuditWindow};
use serde::Deserialize;
use serde_json::{Value, json};

/// The JSON part: the attestation's fields (optional here, so a missing one is named).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    framework: Option<String>,
    requirement: Option<String>,
    statement: Option<String>,
    attested_by: Option<String>,
    valid_from: Option<String>,
    valid_until: Option<String>,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_attestation", message)
}

fn now() -> String {
    securebase_inventory::time::now_rfc3339()
}

/// A file name as sent, reduced to its last component, printable, at most 200 characters.
fn file_name(sent: Option<&str>, n: usize) -> String {
    let last = sent.unwrap_or_default().rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.trim().is_empty() { format!("evidence-{}", n + 1) } else { clean }
}

/// An attestation as the API shows it: the stored row and its state now.
fn shown(row: &AttestationRow) -> Value {
    let mut v = serde_json::to_value(row).expect("attestation rows serialize");
    let now = securebase_inventory::time::now_unix();
    v["state"] = json!(if row.deleted_at.is_some() { "deleted" } else { row.attestation.validity(now).as_str() });
    v
}

/// `POST /v1/tenants/{id}/attestations` (multipart).
pub(crate) async fn create(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path(id): Path<String>,
    body: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let mut body = body.map_err(|e| {
        AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("expected multipart/form-data: a part \"attestation\" (JSON) and parts \"evidence\" (files): {e}"),
        )
    })?;
    let cap = state.config.evidence_size_limit;
    let (mut fields, mut files): (Option<Fields>, Vec<(Evidence, Vec<u8>)>) = (None, vec![]);
    while let Some(part) = body.next_field().await.map_err(|e| invalid(format!("multipart body: {e}")))? {
        match part.name() {
            Some("attestation") => {
                let bytes = part.bytes().await.map_err(|e| invalid(format!("part attestation: {e}")))?;
                let parsed =
                    serde_json::from_slice(&bytes).map_err(|e| invalid(format!("part attestation: not the expected JSON object: {e}")))?;
                fields = Some(parsed);
            }
            Some("evidence") => {
                let n = files.len();
                let name = file_name(part.file_name(), n);
                let bytes = part.bytes().await.map_err(|e| invalid(format!("part evidence[{n}] ({name}): {e}")))?;
                if bytes.len() > cap {
                    return Err(invalid(format!(
                        "part evidence[{n}] ({name}): {} bytes, over the {cap}-byte cap for one evidence file",
                        bytes.len()
                    )));
                }
                if bytes.is_empty() {
                    return Err(invalid(format!("part evidence[{n}] ({name}): empty")));
                }
                files.push((Evidence::of(&name, &bytes), bytes.to_vec()));
            }
            other => return Err(invalid(format!("part {:?}: unknown; expected \"attestation\" and \"evidence\"", other.unwrap_or("")))),
        }
    }
    let f = fields.ok_or_else(|| invalid("part attestation: required (the attestation's fields as JSON)"))?;
    let a = Attestation {
        id: String::new(),
        framework: f.framework.unwrap_or_default(),
        requirement: f.requirement.unwrap_or_default(),
        statement: f.statement.unwrap_or_default(),
        attested_by: f.attested_by.unwrap_or_default(),
        valid_from: f.valid_from.unwrap_or_else(|| now()[..10].to_string()),
        valid_until: f.valid_until.unwrap_or_default(),
        evidence: files.iter().map(|(e, _)| e.clone()).collect(),
    };
    let mut problems = a.problems();
    if !a.framework.is_empty() && !a.requirement.is_empty() {
        match crate::extensions::framework_of(&state, &id, &a.framework).await {
            Err(e) if e.status.is_server_error() => return Err(e),
            Err(e) => problems.push(format!("framework: {}", e.message.trim_start_matches("framework: "))),
            Ok(fw) => problems.extend(fw.unattestable(&a.requirement)),
        }
    }
    for (field, value) in [("statement", &a.statement), ("attested_by", &a.attested_by)] {
        if value.len() > 4000 {
            problems.push(format!("{field}: at most 4000 characters"));
        }
    }
    if !problems.is_empty() {
        return Err(invalid(problems.iter().map(|p| format!("field {p}")).collect::<Vec<_>>().join("; ")));
    }
    let row = state.store.create_attestation(&id, &a, &files, &principal(&ext).actor()).await?;
    Ok((StatusCode::CREATED, Json(shown(&row))).into_response())
}

/// `GET /v1/tenants/{id}/attestations`: those not deleted, by id.
pub(crate) async fn list(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let window = crate::auth::window(&ext);
    let rows = state.store.list_attestations(&id).await?;
    let items: Vec<Value> = rows.iter().filter(|r| in_window(r, window.as_ref())).map(shown).collect();
    Ok(Json(json!({ "items": items })))
}

/// Whether an attestation was valid on some day of an audit window (every one is,
/// without one), unless it was deleted before the window began.
fn in_window(row: &AttestationRow, window: Option<&AuditWindow>) -> bool {
    let a = &row.attestation;
    window.is_none_or(|w| w.saw(&a.valid_from, &a.valid_until, row.deleted_at.as_deref()))
}

/// One attestation the request's key may see.
async fn visible(state: &AppState, ext: &axum::http::Extensions, tenant: &str, id: &str) -> Result<AttestationRow, AppError> {
    match state.store.get_attestation(tenant, id).await? {
        Some(row) if in_window(&row, crate::auth::window(ext).as_ref()) => Ok(row),
        _ => Err(AppError::not_found("attestation", id)),
    }
}

/// `GET /v1/tenants/{id}/attestations/{attestation}`: one, deleted or not.
pub(crate) async fn show(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, attestation)): Path<(String, String)>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    Ok(Json(shown(&visible(&state, &ext, &id, &attestation).await?)))
}

/// `GET /v1/tenants/{id}/attestations/{attestation}/evidence/{sha256}`: the file as uploaded.
pub(crate) async fn evidence(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, attestation, sha256)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    visible(&state, &ext, &id, &attestation).await?;
    let (e, bytes) =
        state.store.evidence(&id, &attestation, &sha256).await?.ok_or_else(|| AppError::not_found("evidence file", &sha256))?;
    // The name came from the uploader: quoted, without quotes or non-ASCII, for the header.
    let safe: String = e.name.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').filter(|c| *c != '"' && *c != '\\').collect();
    let disposition = format!("attachment; filename=\"{safe}\"");
    // Served as bytes whatever it claims to be (its media type is in the attestation):
    // an uploaded file is never rendered by a browser in the service's origin.
    let headers = [
        (header::CONTENT_TYPE, "application/octet-stream".to_string()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
    ];
    Ok((headers, bytes).into_response())
}

/// `DELETE /v1/tenants/{id}/attestations/{attestation}`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Path((id, attestation)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    if !state.store.delete_attestation(&id, &attestation).await? {
        return Err(AppError::not_found("attestation", &attestation));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_lose_directories_and_control_characters() {
        assert_eq!(super::file_name(Some("../../etc/passwd"), 0), "passwd");
        assert_eq!(super::file_name(Some("C:\\evidence\\plan\n.pdf"), 0), "plan.pdf");
        assert_eq!(super::file_name(None, 2), "evidence-3");
    }
}
