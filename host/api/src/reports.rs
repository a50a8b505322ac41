//! What auditors and integrations read: the compliance report of a scan against a
//! framework, findings filtered every way the issue names, and the PDF, CSV and OCSF
//! renderings of a scan (each download is audited by the middleware).

use crate::auth::{self, visible_tenant};
use crate::cache::ReportKey;
use crate::meta::page;
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{Extensions, StatusCode, header};
use axum::response::{IntoResponse, Response};
use securebase_scan::ScanReport;
use securebase_scoring::Framework;
use securebase_store::{AuditWindow, FindingFilter, FindingRow, Page, Paged, Tenant};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportQuery {
    framework: Option<String>,
    scan: Option<String>,
    /// Failing findings to skip (paging through them).
    failing_skip: Option<u64>,
    /// Failing findings to include, 1 to 500 (default 100).
    failing_limit: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FindingsQuery {
    scan: Option<String>,
    framework: Option<String>,
    requirement: Option<String>,
    check: Option<String>,
    status: Option<String>,
    severity: Option<String>,
    resource_type: Option<String>,
    account: Option<String>,
    /// `severity`: most severe first; `scan` (default): in the scan's order.
    sort: Option<String>,
    skip: Option<u64>,
    limit: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DownloadQuery {
    framework: Option<String>,
}

/// A built-in framework or one of the tenant's own (the tenant's by default).
async fn framework(state: &AppState, tenant: &Tenant, id: Option<&str>) -> Result<Framework, AppError> {
    let id = id.unwrap_or(&tenant.framework);
    crate::extensions::framework_of(state, &tenant.id, id).await
}

/// The named scan, or the tenant's newest succeeded one. A key limited to an audit
/// window sees the window's scans only: another is the 404 of a scan that is not there.
async fn scan_id(state: &AppState, tenant: &str, scan: Option<String>, window: Option<&AuditWindow>) -> Result<String, AppError> {
    match scan {
        Some(s) => match window {
            Some(w) if auth::started_outside(state, tenant, &s, w).await? => Err(AppError::not_found("scan", &s)),
            _ => Ok(s),
        },
        None => state.store.latest_succeeded_scan(tenant, window).await?.map(|s| s.id).ok_or_else(|| match window {
            Some(w) => AppError::new(
                StatusCode::NOT_FOUND,
                "no_scan",
                format!("no scan of this tenant finished within this key's audit window, {w}"),
            ),
            None => AppError::new(StatusCode::NOT_FOUND, "no_scan", "this tenant has no finished scan yet; start one with POST .../scans"),
        }),
    }
}

async fn report(state: &AppState, tenant: &str, scan: &str) -> Result<ScanReport, AppError> {
    match state.store.scan_report(tenant, scan).await? {
        Some(r) => Ok(r),
        None => Err(unfinished(state, tenant, scan).await),
    }
}

/// Why a scan has no results: 409 while it is queued, running or failed, 404 when there is no such scan.
async fn unfinished(state: &AppState, tenant: &str, scan: &str) -> AppError {
    match state.store.get_scan(tenant, scan).await {
        Ok(Some(row)) => {
            AppError::new(StatusCode::CONFLICT, "scan_not_finished", format!("scan {scan} is {}: it has no report", row.status))
        }
        Ok(None) => AppError::not_found("scan", scan),
        Err(e) => e.into(),
    }
}

/// `GET /v1/tenants/{id}/scans/{scan}/inventory`: what the scan evaluated, in the
/// snapshot upload format; its SHA-256 is the document's `inventory_sha256`, which is
/// how `securebase plugin replay` knows it replays the scan's own input.
pub(crate) async fn inventory(
    State(state): State<AppState>,
    ext: Extensions,
    Path((id, scan)): Path<(String, String)>,
) -> Result<Response, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    match state.store.scan_inventory(&id, &scan).await? {
        Some(Some(json)) => Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response()),
        Some(None) => Err(AppError::new(
            StatusCode::NOT_FOUND,
            "inventory_not_kept",
            format!("scan {scan} ran before scans kept their inventory; run a new scan to replay its findings"),
        )),
        None => Err(unfinished(&state, &id, &scan).await),
    }
}

/// `GET /v1/tenants/{id}/scans/{scan}/document`: the scan as the worker stored it.
pub(crate) async fn document(
    State(state): State<AppState>,
    ext: Extensions,
    Path((id, scan)): Path<(String, String)>,
) -> Result<Json<ScanReport>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    Ok(Json(report(&state, &id, &scan).await?))
}

pub(crate) async fn compliance_report(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let tenant = visible_tenant(&state, &ext, &id).await?;
    let q = crate::error::parse_query(q)?;
    let fw = framework(&state, &tenant, q.framework.as_deref()).await?;
    let page = page(q.failing_skip, q.failing_limit.or(Some(100)))?;
    // Which scan: asked every time (a windowed key's default is the newest of its window).
    let scan = scan_id(&state, &id, q.scan.clone(), auth::window(&ext).as_ref()).await?;
    let key = ReportKey {
        tenant: id.clone(),
        scan,
        framework: fw.id.clone(),
        framework_sha256: fw.sha256.clone(),
        skip: page.skip,
        limit: page.limit,
    };
    let body = match state.reports.get(&key) {
        Some(body) => body,
        None => {
            let body: Arc<str> = Arc::from(report_page(&state, &key, &fw, page).await?.to_string());
            state.reports.insert(key, body.clone());
            body
        }
    };
    // The tenant's own fields are read per request; the rest is the scan's and fixed.
    let tenant_fields = json!({ "tenant_id": id, "organization": tenant.organization }).to_string();
    let json = format!("{},{}", &tenant_fields[..tenant_fields.len() - 1], &body[1..]);
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

/// A page of a finished scan's compliance report, without the tenant's own fields.
async fn report_page(state: &AppState, key: &ReportKey, fw: &Framework, page: Page) -> Result<Value, AppError> {
    let mut by_check: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in &fw.requirements {
        for c in &r.checks {
            by_check.entry(c.as_str()).or_default().push(r.id.as_str());
        }
    }
    // Failing findings of the framework's checks, most severe first, a page at a time.
    let filter = FindingFilter {
        check_ids: Some(by_check.keys().map(|c| c.to_string()).collect()),
        status: Some("fail".into()),
        by_severity: true,
        ..Default::default()
    };
    // The scan's digest (framework results, a few KiB), not its whole document, which
    // for a scan of many thousand findings would be parsed on every request; and the
    // page of failing findings, in the same transaction.
    let (id, scan) = (&key.tenant, &key.scan);
    let Some((scan, digest, failing)) = state.store.digest_with_findings(id, Some(scan), &filter, page, Some(&fw.id)).await? else {
        return Err(match state.store.get_scan(id, scan).await? {
            Some(row) => {
                AppError::new(StatusCode::CONFLICT, "scan_not_finished", format!("scan {scan} is {}: it has no report", row.status))
            }
            None => AppError::not_found("scan", scan),
        });
    };
    let result = digest.frameworks.iter().find(|f| f.framework == fw.id).ok_or_else(|| {
        AppError::new(StatusCode::CONFLICT, "framework_not_scored", format!("scan {scan} did not score framework {}", fw.id))
    })?;
    let items: Vec<Value> = failing
        .items
        .iter()
        .map(|f| {
            json!({
                "requirements": by_check.get(f.check_id.as_str()), "check_id": f.check_id, "check_title": f.check_title,
                "account_id": f.account_id, "region": f.region, "resource_type": f.resource_type,
                "resource_id": f.resource_id, "resource_name": f.resource_name, "resource_arn": f.resource_arn,
                "severity": f.severity, "message": f.message,
                "remediation": f.remediation,
            })
        })
        .collect();
    Ok(json!({
        "scan_id": scan,
        "scanned_at": digest.started_at,
        "framework": { "id": fw.id, "name": fw.name, "version": fw.version, "sha256": fw.sha256 },
        "summary": result.summary,
        "requirements": result.requirements,
        "failing_findings": items,
        "failing_findings_total": failing.total,
        "failing_findings_page": { "skip": failing.skip, "limit": failing.limit },
        "plugin_errors": digest.plugin_errors,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PostureQuery {
    scan: Option<String>,
    framework: Option<String>,
}

/// Every framework's results of one scan (the newest by default): each summary, and
/// one framework's requirements when asked. What a dashboard shows, read from the
/// scan's digest without its findings; a read, not a report download.
pub(crate) async fn posture(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    q: Result<Query<PostureQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let q = crate::error::parse_query(q)?;
    let scan = scan_id(&state, &id, q.scan, auth::window(&ext).as_ref()).await?;
    let row = state.store.get_scan(&id, &scan).await?.ok_or_else(|| AppError::not_found("scan", &scan))?;
    let Some(digest) = state.store.scan_digest(&id, &scan).await? else { return Err(unfinished(&state, &id, &scan).await) };
    let requirements = match &q.framework {
        None => None,
        Some(fw) => Some(
            &digest
                .frameworks
                .iter()
                .find(|f| &f.framework == fw)
                .ok_or_else(|| {
                    AppError::new(StatusCode::NOT_FOUND, "framework_not_scored", format!("framework: scan {scan} did not score {fw:?}"))
                })?
                .requirements,
        ),
    };
    let frameworks: Vec<Value> = digest
        .frameworks
        .iter()
        .map(|f| {
            json!({
                "id": f.framework, "name": f.name, "version": f.version, "summary": f.summary,
                "failing_findings": digest.failing_findings.get(&f.framework).copied().unwrap_or(0),
            })
        })
        .collect();
    Ok(Json(json!({
        "scan": row,
        "frameworks": frameworks,
        "requirements": requirements,
        "plugin_errors": digest.plugin_errors,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScoresQuery {
    limit: Option<u32>,
}

/// The framework scores of the tenant's last succeeded scans, oldest first (within a
/// windowed key's audit window).
pub(crate) async fn scores(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    q: Result<Query<ScoresQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let q = crate::error::parse_query(q)?;
    let limit = q.limit.unwrap_or(30);
    if !(1..=100).contains(&limit) {
        return Err(AppError::bad_request(format!("limit: {limit} is not between 1 and 100")));
    }
    let items = state.store.score_history(&id, auth::window(&ext).as_ref(), limit).await?;
    Ok(Json(json!({ "items": items })))
}

pub(crate) async fn findings(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    q: Result<Query<FindingsQuery>, QueryRejection>,
) -> Result<Json<Paged<FindingRow>>, AppError> {
    let tenant = visible_tenant(&state, &ext, &id).await?;
    let q = crate::error::parse_query(q)?;
    let page = page(q.skip, q.limit)?;
    // A framework or requirement narrows to the checks behind it; a check narrows further.
    let mut checks: Option<HashSet<String>> = None;
    if q.framework.is_some() || q.requirement.is_some() {
        let fw = framework(&state, &tenant, q.framework.as_deref()).await?;
        let set = match &q.requirement {
            Some(req) => fw
                .requirements
                .iter()
                .find(|r| &r.id == req)
                .ok_or_else(|| {
                    AppError::new(StatusCode::NOT_FOUND, "not_found", format!("requirement: {} has no requirement {req:?}", fw.id))
                })?
                .checks
                .iter()
                .cloned()
                .collect(),
            None => fw.checks().map(str::to_string).collect(),
        };
        checks = Some(set);
    }
    if let Some(c) = &q.check {
        if !securebase_runtime::is_check_id(c) {
            return Err(AppError::bad_request(format!(
                "check: {c:?} is not a check id (lower-case letters, digits and '_', starting with a letter)"
            )));
        }
        // A built-in check, or one of any version of the tenant's plugins (old scans ran those too).
        let builtin = state.scanner.plugins().iter().any(|p| p.info().checks.iter().any(|k| &k.id == c));
        let known = builtin || state.store.list_plugins(&id).await?.iter().any(|p| p.check_ids().contains(c));
        if !known {
            return Err(AppError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("check: no check {c:?}; GET /v1/plugins lists the built-in ones, GET /v1/tenants/{id}/plugins the tenant's"),
            ));
        }
        checks = Some(match checks {
            Some(set) => set.into_iter().filter(|k| k == c).collect(),
            None => HashSet::from([c.clone()]),
        });
    }
    for (name, value, allowed) in [
        ("status", &q.status, &["pass", "fail", "excepted", "not_applicable", "error"][..]),
        ("severity", &q.severity, &["critical", "high", "medium", "low", "info"][..]),
        ("sort", &q.sort, &["scan", "severity"][..]),
    ] {
        if let Some(v) = value
            && !allowed.contains(&v.as_str())
        {
            return Err(AppError::bad_request(format!("{name}: {v:?} is not one of {}", allowed.join(", "))));
        }
    }
    let scan = scan_id(&state, &id, q.scan, auth::window(&ext).as_ref()).await?;
    if state.store.get_scan(&id, &scan).await?.is_none() {
        return Err(AppError::not_found("scan", &scan));
    }
    let mut check_ids: Option<Vec<String>> = checks.map(|s| s.into_iter().collect());
    if let Some(c) = &mut check_ids {
        c.sort();
    }
    let filter = FindingFilter {
        check_ids,
        status: q.status,
        severity: q.severity,
        resource_type: q.resource_type,
        account_id: q.account,
        by_severity: q.sort.as_deref() == Some("severity"),
    };
    Ok(Json(state.store.findings(&id, &scan, &filter, page).await?))
}

/// A rendering of a scan that a route serves as a file.
#[derive(Debug, Clone, Copy)]
enum Rendering {
    Pdf,
    Csv,
    Ocsf,
}

pub(crate) async fn pdf(
    state: State<AppState>,
    ext: Extensions,
    path: Path<(String, String)>,
    q: Result<Query<DownloadQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    download(state, ext, path, Rendering::Pdf, crate::error::parse_query(q)?).await
}

pub(crate) async fn csv(state: State<AppState>, ext: Extensions, path: Path<(String, String)>) -> Result<Response, AppError> {
    download(state, ext, path, Rendering::Csv, DownloadQuery { framework: None }).await
}

pub(crate) async fn ocsf(state: State<AppState>, ext: Extensions, path: Path<(String, String)>) -> Result<Response, AppError> {
    download(state, ext, path, Rendering::Ocsf, DownloadQuery { framework: None }).await
}

async fn download(
    State(state): State<AppState>,
    ext: Extensions,
    Path((id, scan)): Path<(String, String)>,
    rendering: Rendering,
    q: DownloadQuery,
) -> Result<Response, AppError> {
    let tenant = visible_tenant(&state, &ext, &id).await?;
    // The framework is checked before the scan is read, so a bad name is a 400 whatever the scan.
    let fw = match rendering {
        Rendering::Pdf => Some(framework(&state, &tenant, q.framework.as_deref()).await?),
        _ => None,
    };
    let report = report(&state, &id, &scan).await?;
    let disposition = |name: &str| format!("attachment; filename=\"securebase-{scan}-{name}\"");
    match (rendering, fw) {
        (Rendering::Pdf, Some(fw)) => {
            let bytes = signed_pdf(&state, report, &fw.id, &tenant.organization).await?;
            let name = disposition(&format!("{}.pdf", fw.id));
            Ok(([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, name)], bytes).into_response())
        }
        (Rendering::Csv, _) => {
            let name = disposition("findings.csv");
            let csv = securebase_reports::render_csv(&report);
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], csv).into_response())
        }
        _ => {
            let name = disposition("ocsf.json");
            let body = serde_json::to_vec_pretty(&securebase_reports::render_ocsf(&report)).expect("OCSF serializes");
            Ok(([(header::CONTENT_TYPE, "application/json".to_string()), (header::CONTENT_DISPOSITION, name)], body).into_response())
        }
    }
}

/// The PDF report of a framework, signed when the service has a key: an auditor can
/// tell a changed copy. Rendered off the async threads (a large scan takes a while).
async fn signed_pdf(state: &AppState, report: ScanReport, framework: &str, organization: &str) -> Result<Vec<u8>, AppError> {
    let (organization, framework) = (organization.to_string(), framework.to_string());
    let key = state.config.report_key.clone();
    tokio::task::spawn_blocking(move || {
        let pdf = securebase_reports::render_pdf(&report, &framework, Some(&organization))?;
        Ok::<_, securebase_reports::ReportError>(match key {
            Some(k) => securebase_reports::seal::seal(pdf, &k.public_base64(), |b| k.sign(b)),
            None => pdf,
        })
    })
    .await
    .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("PDF rendering: {e}")))?
    .map_err(|e| AppError::new(StatusCode::CONFLICT, "report_unavailable", e.to_string()))
}

/// A name from an uploader made safe as one path segment of a zip entry.
fn entry_name(name: &str) -> String {
    let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    match safe.trim_start_matches('.') {
        "" => "file".into(),
        s => s.chars().take(100).collect(),
    }
}

/// `GET /v1/tenants/{id}/scans/{scan}/audit-package.zip`: everything an auditor takes
/// away for a scan and a framework, in one zip with a manifest of SHA-256 digests,
/// signed when the service has a key (see `securebase_reports::package`).
pub(crate) async fn audit_package(
    State(state): State<AppState>,
    ext: Extensions,
    Path((id, scan)): Path<(String, String)>,
    q: Result<Query<DownloadQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let tenant = visible_tenant(&state, &ext, &id).await?;
    let q = crate::error::parse_query(q)?;
    let fw = framework(&state, &tenant, q.framework.as_deref()).await?;
    let report = report(&state, &id, &scan).await?;
    // Every evidence file the framework's attestations in this scan reference, once each.
    let attestations: Vec<_> = report.attestations.iter().filter(|a| a.attestation.framework == fw.id).collect();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut evidence = std::collections::BTreeMap::new();
    for entry in &attestations {
        for e in &entry.attestation.evidence {
            let path = format!("evidence/{}/{}", e.sha256, entry_name(&e.name));
            if evidence.contains_key(&path) {
                continue;
            }
            let Some((_, bytes)) = state.store.evidence(&id, &entry.attestation.id, &e.sha256).await? else {
                return Err(AppError::new(
                    StatusCode::CONFLICT,
                    "evidence_unavailable",
                    format!(
                        "attestation {} names evidence {} ({}), which the service no longer holds",
                        entry.attestation.id, e.name, e.sha256
                    ),
                ));
            };
            evidence.insert(path, bytes);
        }
    }
    // The register as the scan applied it, each exception with its history of changes.
    let mut register = Vec::new();
    for entry in &report.exceptions {
        let history = state.store.get_exception(&id, &entry.exception.id).await?.map(|r| r.history).unwrap_or_default();
        let mut v = serde_json::to_value(entry).expect("exception entries serialize");
        v["history"] = serde_json::to_value(history).expect("histories serialize");
        register.push(v);
    }
    let json = |v: &Value| {
        let mut b = serde_json::to_vec_pretty(v).expect("JSON serializes");
        b.push(b'\n');
        b
    };
    let register = json(&json!({ "scan_id": scan, "exceptions": register }));
    let attestations = json(&json!({ "scan_id": scan, "framework": fw.id, "attestations": attestations }));
    let csv = securebase_reports::render_csv(&report).into_bytes();
    let ocsf = serde_json::to_vec_pretty(&securebase_reports::render_ocsf(&report)).expect("OCSF serializes");
    let pdf = signed_pdf(&state, report, &fw.id, &tenant.organization).await?;
    files.push((format!("report-{}.pdf", fw.id), pdf));
    files.push(("findings.csv".into(), csv));
    files.push(("findings.ocsf.json".into(), ocsf));
    files.push(("exceptions.json".into(), register));
    files.push(("attestations.json".into(), attestations));
    files.extend(evidence);
    let subject = securebase_reports::package::Subject {
        tenant_id: id.clone(),
        organization: tenant.organization.clone(),
        scan_id: scan.clone(),
        framework: fw.id.clone(),
        generated_at: securebase_inventory::time::now_rfc3339(),
    };
    let key = state.config.report_key.clone();
    let zip = tokio::task::spawn_blocking(move || {
        let public = key.as_ref().map(|k| k.public_base64());
        let sign = |b: &[u8]| key.as_ref().expect("a key when signing").sign(b);
        let signer = public.as_deref().map(|key| securebase_reports::package::Signer { key, sign: &sign });
        securebase_reports::package::write(subject, &files, signer)
    })
    .await
    .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("audit package: {e}")))?
    .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("audit package: {e}")))?;
    let name = format!("attachment; filename=\"securebase-{scan}-{}-audit-package.zip\"", fw.id);
    Ok(([(header::CONTENT_TYPE, "application/zip".to_string()), (header::CONTENT_DISPOSITION, name)], zip).into_response())
}
