//! `/v1/tenants/{id}/scans`: start a scan of the demo organization or of an uploaded
//! snapshot, and follow it. Evaluation runs on the scanner's rayon pool, off the async
//! runtime; the result is stored in one transaction when it ends.

use crate::auth::{principal, visible_tenant};
use crate::meta::page;
use crate::tenants::PageQuery;
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{Extensions, StatusCode};
use axum::response::{IntoResponse, Response};
use securebase_inventory::Snapshot;
use securebase_store::{Paged, ScanRow};
use serde::Deserialize;
use serde_json::Value;

/// `POST /v1/tenants/{id}/scans`.
#[derive(Debug, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum CreateScan {
    /// The bundled demo organization.
    Demo,
    /// Account inventories in the snapshot format, one document per account.
    Snapshot { accounts: Vec<Value> },
    /// The tenant's own AWS accounts.
    Accounts,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateQuery {
    /// Answer when the scan has ended instead of at once.
    wait: Option<bool>,
}

/// What a scan job evaluates.
enum Work {
    /// An inventory at hand.
    Ready(Snapshot),
    /// The tenant's accounts, to collect first.
    Collect(securebase_collect::AccountsFile),
}

fn snapshot(accounts: &[Value]) -> Result<Snapshot, AppError> {
    if accounts.is_empty() {
        return Err(AppError::bad_request("field accounts: at least one account inventory is needed"));
    }
    let mut parsed = Vec::with_capacity(accounts.len());
    for (i, doc) in accounts.iter().enumerate() {
        let account = securebase_inventory::parse_account(&doc.to_string(), &format!("accounts[{i}]"))
            .map_err(|e| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_snapshot", e.to_string()))?;
        if parsed.iter().any(|a: &securebase_inventory::AccountInventory| a.account_id() == account.account_id()) {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_snapshot",
                format!("accounts[{i}]: account {} appears twice", account.account_id()),
            ));
        }
        parsed.push(account);
    }
    parsed.sort_by(|a, b| a.account_id().cmp(b.account_id()));
    Ok(Snapshot { source: "upload".into(), accounts: parsed })
}

pub(crate) async fn create(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    q: Result<Query<CreateQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let p = principal(&ext);
    let tenant = visible_tenant(&state, &ext, &id).await?;
    let wait = crate::error::parse_query(q)?.wait.unwrap_or(false);
    let req: CreateScan = crate::error::parse_body(body)?;
    let (source, work) = match req {
        CreateScan::Demo => ("demo", Work::Ready(securebase_inventory::demo())),
        CreateScan::Snapshot { accounts } => ("snapshot", Work::Ready(snapshot(&accounts)?)),
        CreateScan::Accounts => {
            if tenant.accounts.is_empty() {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "no_accounts",
                    "this tenant lists no accounts: PATCH its accounts, or upload a snapshot (source \"snapshot\")",
                ));
            }
            let accounts = tenant
                .accounts
                .iter()
                .map(|a| securebase_collect::Account {
                    id: a.account_id.clone(),
                    name: a.name.clone(),
                    role_arn: a.role_arn.clone(),
                    external_id: None,
                    regions: if a.regions.is_empty() { vec!["us-east-1".into()] } else { a.regions.clone() },
                })
                .collect();
            ("accounts", Work::Collect(securebase_collect::AccountsFile { accounts, organization: None }))
        }
    };
    let scan = state.store.create_scan(&id, source, &p.actor()).await?;
    let permit =
        state.jobs.clone().acquire_owned().await.map_err(|_| {
            AppError::new(StatusCode::SERVICE_UNAVAILABLE, "shutting_down", "the service is shutting down; retry elsewhere")
        })?;
    let job_state = state.clone();
    let (tenant_id, scan_id) = (id.clone(), scan.id.clone());
    let job = tokio::spawn(async move {
        let _permit = permit;
        let store = &job_state.store;
        if let Err(e) = store.start_scan(&tenant_id, &scan_id).await {
            tracing::error!(error = %e, scan = %scan_id, "cannot mark scan running");
        }
        // Live accounts are collected first (I/O on tokio); what cannot be read is kept
        // as a note on the scan, and the accounts that were read are evaluated.
        let (inventory, problems) = match work {
            Work::Ready(snapshot) => (snapshot, vec![]),
            Work::Collect(file) => {
                let collected = securebase_collect::collect_all(&file, &job_state.config.collect, 8, &|_| {}).await;
                let problems = collection_entries(&collected);
                let accounts: Vec<_> = collected.into_iter().filter_map(|c| c.inventory).collect();
                if accounts.is_empty() {
                    let _ = store.fail_scan(&tenant_id, &scan_id, &format!("no account could be collected: {}", joined(&problems))).await;
                    return;
                }
                (securebase_inventory::Snapshot { source: "accounts".into(), accounts }, problems)
            }
        };
        let scanner = job_state.scanner.clone();
        let listed = problems.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let mut report = scanner.scan(inventory, &|_| {});
            report.collection_errors = listed;
            report
        })
        .await;
        let stored = match outcome {
            Ok(report) => {
                // Metered in the transaction that stores the results, once per scan.
                let detail = serde_json::json!({
                    "frameworks": report.organization.frameworks.iter().map(|f| &f.framework).collect::<Vec<_>>(),
                    "accounts": report.organization.accounts,
                    "resources": report.organization.resources,
                    "controls_evaluated": report.organization.frameworks.iter().map(|f| f.summary.total_controls).sum::<u32>(),
                    "duration_ms": report.duration_ms,
                })
                .to_string();
                let kind = securebase_billing::EventKind::ComplianceScan;
                match store.tenant_tier(&tenant_id).await {
                    Ok(tier) => {
                        let usage = tier.map(|t| {
                            crate::billing::event(&job_state.pricing, &tenant_id, t, kind, format!("scan:{scan_id}"), true, detail)
                        });
                        store.finish_scan(&tenant_id, &scan_id, &report, usage.as_ref()).await
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => store.fail_scan(&tenant_id, &scan_id, &format!("the scan stopped unexpectedly: {e}")).await,
        };
        if let Err(e) = stored {
            tracing::error!(error = %e, scan = %scan_id, "cannot store scan result");
            let _ = store.fail_scan(&tenant_id, &scan_id, "the result could not be stored").await;
        } else if !problems.is_empty() {
            // Say what a live scan could not read, so a score is never read as covering more.
            let note = format!("collected with {} error(s): {}", problems.len(), joined(&problems));
            if let Err(e) = store.note_scan(&tenant_id, &scan_id, &note).await {
                tracing::error!(error = %e, scan = %scan_id, "cannot note collection errors");
            }
        }
    });
    if wait {
        job.await.map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("scan job: {e}")))?;
        let done = state.store.get_scan(&id, &scan.id).await?.ok_or_else(|| AppError::not_found("scan", &scan.id))?;
        return Ok((StatusCode::CREATED, Json(done)).into_response());
    }
    Ok((StatusCode::ACCEPTED, Json(scan)).into_response())
}

pub(crate) async fn list(
    State(state): State<AppState>,
    ext: Extensions,
    Path(id): Path<String>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Paged<ScanRow>>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    let q = crate::error::parse_query(q)?;
    Ok(Json(state.store.list_scans(&id, page(q.skip(), q.limit())?).await?))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    ext: Extensions,
    Path((id, scan)): Path<(String, String)>,
) -> Result<Json<ScanRow>, AppError> {
    visible_tenant(&state, &ext, &id).await?;
    Ok(Json(state.store.get_scan(&id, &scan).await?.ok_or_else(|| AppError::not_found("scan", &scan))?))
}

/// Every account's collection errors, as a scan report lists them (the CLI's live scans too).
pub fn collection_entries(collections: &[securebase_collect::AccountCollection]) -> Vec<securebase_scan::CollectionErrorEntry> {
    collections
        .iter()
        .flat_map(|c| {
            c.errors.iter().map(|e| securebase_scan::CollectionErrorEntry {
                account_id: c.account_id.clone(),
                service: e.service.clone(),
                region: e.region.clone(),
                message: e.message.clone(),
            })
        })
        .collect()
}

fn joined(problems: &[securebase_scan::CollectionErrorEntry]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}
