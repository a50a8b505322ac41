//! Scans and their findings. A scan row is made `queued` when requested, goes
//! `running`, and ends `succeeded` (with its scan document and one row per finding,
//! written in one transaction) or `failed` (with the reason).

use crate::{AuditWindow, Page, Paged, Scope, Store, StoreError, col, count, now, page_args, parse_col};
use securebase_scan::ScanReport;
use serde::Serialize;
use sqlx::any::AnyRow;
use std::fmt;
use std::str::FromStr;

/// Where a scan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanStatus {
    /// Requested, not started.
    Queued,
    /// Being evaluated.
    Running,
    /// Finished; results stored.
    Succeeded,
    /// Could not run; see `error`.
    Failed,
}

impl ScanStatus {
    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Queued => "queued",
            ScanStatus::Running => "running",
            ScanStatus::Succeeded => "succeeded",
            ScanStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for ScanStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ScanStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        [ScanStatus::Queued, ScanStatus::Running, ScanStatus::Succeeded, ScanStatus::Failed].into_iter().find(|t| t.as_str() == s).ok_or(())
    }
}

/// A scan as listed: status, timings and counts, not the findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanRow {
    /// Its id.
    pub id: String,
    /// The tenant.
    pub tenant_id: String,
    /// Where it is.
    pub status: ScanStatus,
    /// What was scanned (`demo`, `snapshot`, `accounts`).
    pub source: String,
    /// The actor that asked for it.
    pub requested_by: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, once running.
    pub started_at: Option<String>,
    /// RFC 3339, once ended.
    pub finished_at: Option<String>,
    /// Evaluation time.
    pub duration_ms: Option<i64>,
    /// Accounts scanned.
    pub accounts: Option<i64>,
    /// Configuration items evaluated.
    pub resources: Option<i64>,
    /// Findings stored.
    pub findings: Option<i64>,
    /// Failing findings.
    pub failing: Option<i64>,
    /// Why it failed, or what a succeeded scan could not collect.
    pub error: Option<String>,
    /// What drift compares it with: `demo`, `accounts`, or `snapshot:<count>:<digest of the account ids>` (see [`crate::snapshot_scope`]).
    pub scope: String,
    /// Times a worker took it up (more than one: a worker died and another resumed it).
    pub attempts: i64,
    /// The schedule that queued it, if any.
    pub schedule_id: Option<String>,
    /// Drift counts against the previous scan of the same scope, once succeeded.
    pub drift: Option<serde_json::Value>,
}

/// One stored finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingRow {
    /// The scan.
    pub scan_id: String,
    /// The account.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// The check.
    pub check_id: String,
    /// Its title.
    pub check_title: String,
    /// The resource's type.
    pub resource_type: String,
    /// The resource.
    pub resource_id: String,
    /// Its name, where its configuration item has one.
    pub resource_name: Option<String>,
    /// Its ARN, where its configuration item has one.
    pub resource_arn: Option<String>,
    /// `pass`, `fail`, `not_applicable` or `error`.
    pub status: String,
    /// The check's severity.
    pub severity: String,
    /// What the plugin said.
    pub message: String,
    /// How to fix it.
    pub remediation: String,
}

/// What a compliance report needs of a scan without reading its whole document:
/// organization-wide framework results and plugin errors (kept in `scans.summary`).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ScanDigest {
    /// When the scan started (RFC 3339).
    pub started_at: String,
    /// Organization-wide results, one per framework, with every requirement.
    pub frameworks: Vec<securebase_scan::FrameworkResult>,
    /// Evaluations that failed.
    pub plugin_errors: Vec<securebase_scan::PluginErrorEntry>,
    /// Failing findings of each framework's checks, counted when the scan was stored.
    #[serde(default)]
    pub failing_findings: std::collections::BTreeMap<String, u64>,
}

/// One succeeded scan's framework scores (see [`Store::score_history`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreHistoryEntry {
    /// The scan.
    pub scan_id: String,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// Score per framework id, percent; `None` when the scan decided nothing of it.
    pub scores: std::collections::BTreeMap<String, Option<f64>>,
}

/// The documents a finished scan keeps beside its row (`scan_documents`): large, and
/// read only when asked for, so that reading scans rows never reads them.
#[derive(Debug, Clone, Copy)]
enum Document {
    /// The whole scan report (`securebase_scan::ScanReport`).
    Report,
    /// Its drift from the scope's previous scan.
    Drift,
    /// The inventory it evaluated, kept for replay.
    Inventory,
}

impl Document {
    fn as_str(self) -> &'static str {
        match self {
            Document::Report => "report",
            Document::Drift => "drift",
            Document::Inventory => "inventory",
        }
    }
}

/// Which findings to read; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingFilter {
    /// Only these checks (a framework or requirement, resolved by the caller).
    pub check_ids: Option<Vec<String>>,
    /// Status.
    pub status: Option<String>,
    /// Severity.
    pub severity: Option<String>,
    /// Resource type.
    pub resource_type: Option<String>,
    /// Account.
    pub account_id: Option<String>,
    /// Most severe first (then in scan order) instead of scan order.
    pub by_severity: bool,
}

pub(crate) const SCAN_COLUMNS: &str = "id, tenant_id, status, source, requested_by, created_at, started_at, finished_at, \
                            duration_ms, accounts, resources, findings, failing, error, scope, attempts, schedule_id, drift_summary";

pub(crate) fn scan_from_row(row: &AnyRow) -> Result<ScanRow, StoreError> {
    let drift: Option<String> = col(row, "drift_summary")?;
    Ok(ScanRow {
        id: col(row, "id")?,
        tenant_id: col(row, "tenant_id")?,
        status: parse_col(row, "status")?,
        source: col(row, "source")?,
        requested_by: col(row, "requested_by")?,
        created_at: col(row, "created_at")?,
        started_at: col(row, "started_at")?,
        finished_at: col(row, "finished_at")?,
        duration_ms: col(row, "duration_ms")?,
        accounts: col(row, "accounts")?,
        resources: col(row, "resources")?,
        findings: col(row, "findings")?,
        failing: col(row, "failing")?,
        error: col(row, "error")?,
        scope: col(row, "scope")?,
        attempts: col(row, "attempts")?,
        schedule_id: col(row, "schedule_id")?,
        drift: drift.map(|d| serde_json::from_str(&d)).transpose().map_err(|e| StoreError::Corrupt(format!("drift_summary: {e}")))?,
    })
}

fn finding_from_row(row: &AnyRow) -> Result<FindingRow, StoreError> {
    Ok(FindingRow {
        scan_id: col(row, "scan_id")?,
        account_id: col(row, "account_id")?,
        region: col(row, "region")?,
        check_id: col(row, "check_id")?,
        check_title: col(row, "check_title")?,
        resource_type: col(row, "resource_type")?,
        resource_id: col(row, "resource_id")?,
        resource_name: col(row, "resource_name")?,
        resource_arn: col(row, "resource_arn")?,
        status: col(row, "status")?,
        severity: col(row, "severity")?,
        message: col(row, "message")?,
        remediation: col(row, "remediation")?,
    })
}

/// Most severe first: the order of `findings.severity_rank`.
fn severity_rank(severity: &str) -> i64 {
    ["critical", "high", "medium", "low"].iter().position(|s| *s == severity).unwrap_or(4) as i64
}

/// Rows per multi-row INSERT: 14 parameters each stays far below both backends' limits.
const INSERT_BATCH: usize = 500;

/// The columns a finding is inserted with, in the order of the binds in `finish`:
/// the placeholders of each row are counted from it.
const FINDING_COLUMNS: [&str; 16] = [
    "scan_id",
    "seq",
    "tenant_id",
    "account_id",
    "region",
    "check_id",
    "check_title",
    "resource_type",
    "resource_id",
    "status",
    "severity",
    "message",
    "remediation",
    "severity_rank",
    "resource_name",
    "resource_arn",
];

impl Store {
    /// Records a requested scan for a tenant (queued, nothing to carry: demo and tests).
    pub async fn create_scan(&self, tenant: &str, source: &str, requested_by: &str) -> Result<ScanRow, StoreError> {
        let new = crate::NewScan {
            source: source.into(),
            scope: source.into(),
            input: None,
            requested_by: requested_by.into(),
            schedule_id: None,
        };
        self.enqueue_scan(tenant, &new).await
    }

    /// Stores a finished scan: its document, summary, every finding and its usage event,
    /// atomically (the event's key makes a repeated finish meter once).
    pub async fn finish_scan(
        &self,
        tenant: &str,
        scan: &str,
        report: &ScanReport,
        usage: Option<&crate::UsageEvent>,
    ) -> Result<(), StoreError> {
        self.finish(tenant, scan, report, usage, None, &crate::JobOutcome::default()).await.map(|_| ())
    }

    /// Stores a finished scan with what a job adds (lease holder, drift, notifications);
    /// `Ok(false)`, with nothing written, when `owner` no longer holds the lease.
    pub(crate) async fn finish(
        &self,
        tenant: &str,
        scan: &str,
        report: &ScanReport,
        usage: Option<&crate::UsageEvent>,
        owner: Option<&str>,
        outcome: &crate::JobOutcome<'_>,
    ) -> Result<bool, StoreError> {
        let failing_findings = report
            .organization
            .frameworks
            .iter()
            .map(|fw| {
                let checks: std::collections::HashSet<&str> =
                    fw.requirements.iter().flat_map(|r| r.checks.iter().map(String::as_str)).collect();
                let n = report
                    .accounts
                    .iter()
                    .flat_map(|a| &a.findings)
                    .filter(|f| f.status == "fail" && checks.contains(f.check_id.as_str()))
                    .count();
                (fw.framework.clone(), n as u64)
            })
            .collect();
        let digest = ScanDigest {
            started_at: report.started_at.clone(),
            frameworks: report.organization.frameworks.clone(),
            plugin_errors: report.plugin_errors.clone(),
            failing_findings,
        };
        let summary = serde_json::to_string(&digest).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let document = serde_json::to_string(report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let findings: Vec<_> = report.accounts.iter().flat_map(|a| a.findings.iter().map(move |f| (a.account_id.as_str(), f))).collect();
        let failing = findings.iter().filter(|(_, f)| f.status == "fail").count();
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        // The status change comes first: it locks the row, and a worker that lost its
        // lease (another one resumed the job) changes nothing and writes nothing.
        let owner_filter = if owner.is_some() { " AND status = 'running' AND lease_owner = $12" } else { "" };
        let update = format!(
            "UPDATE scans SET status = 'succeeded', finished_at = $1, duration_ms = $2, accounts = $3, resources = $4, \
             findings = $5, failing = $6, summary = $7, drift_summary = $10, lease_expires_at = NULL, \
             input = NULL, error = COALESCE($11, error) WHERE id = $8 AND tenant_id = $9{owner_filter}"
        );
        let mut q = sqlx::query(&update)
            .bind(now())
            .bind(report.duration_ms as i64)
            .bind(report.organization.accounts as i64)
            .bind(report.organization.resources as i64)
            .bind(findings.len() as i64)
            .bind(failing as i64)
            .bind(summary)
            .bind(scan)
            .bind(tenant)
            .bind(outcome.drift.map(|d| d.1.to_string()))
            .bind(outcome.note.map(str::to_string));
        if let Some(owner) = owner {
            q = q.bind(owner.to_string());
        }
        if q.execute(&mut *tx).await?.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        let documents = [
            (Document::Report, Some(document)),
            (Document::Drift, outcome.drift.map(|d| d.0.to_string())),
            (Document::Inventory, outcome.inventory.map(str::to_string)),
        ];
        for (kind, body) in documents {
            if let Some(body) = body {
                sqlx::query("INSERT INTO scan_documents (scan_id, kind, tenant_id, body) VALUES ($1, $2, $3, $4)")
                    .bind(scan)
                    .bind(kind.as_str())
                    .bind(tenant)
                    .bind(body)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for (batch_no, batch) in findings.chunks(INSERT_BATCH).enumerate() {
            let n = FINDING_COLUMNS.len();
            let mut sql = format!("INSERT INTO findings ({}) VALUES ", FINDING_COLUMNS.join(", "));
            for i in 0..batch.len() {
                let b = i * n;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                sql.push_str(&(1..=n).map(|k| format!("${}", b + k)).collect::<Vec<_>>().join(", "));
                sql.push(')');
            }
            let mut q = sqlx::query(&sql);
            for (i, (account, f)) in batch.iter().enumerate() {
                q = q
                    .bind(scan)
                    .bind((batch_no * INSERT_BATCH + i) as i64)
                    .bind(tenant)
                    .bind(*account)
                    .bind(&f.region)
                    .bind(&f.check_id)
                    .bind(&f.check_title)
                    .bind(&f.resource_type)
                    .bind(&f.resource_id)
                    .bind(&f.status)
                    .bind(&f.severity)
                    .bind(&f.message)
                    .bind(&f.remediation)
                    .bind(severity_rank(&f.severity))
                    .bind(&f.resource_name)
                    .bind(&f.resource_arn);
            }
            q.execute(&mut *tx).await?;
        }
        if let Some(e) = usage {
            crate::usage::insert_usage(&mut tx, e).await?;
        }
        crate::webhooks::insert_deliveries(&mut tx, tenant, scan, outcome.notifications).await?;
        // What the batches of a split scan collected is in the kept inventory now.
        sqlx::query("UPDATE scan_batches SET result = NULL WHERE scan_id = $1 AND tenant_id = $2")
            .bind(scan)
            .bind(tenant)
            .execute(&mut *tx)
            .await?;
        if owner.is_some() {
            // The stream's last event commits with the result: a client that sees the scan
            // succeeded also sees its "finished".
            let drift: Option<serde_json::Value> = outcome.drift.and_then(|d| serde_json::from_str(d.1).ok());
            let data = serde_json::json!({ "status": "succeeded", "findings": findings.len(), "failing": failing, "drift": drift });
            crate::events::append_event(&mut tx, tenant, scan, "finished", &data).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// A tenant's scans, newest first; within an audit window (by start) if given.
    pub async fn list_scans(&self, tenant: &str, window: Option<&AuditWindow>, page: Page) -> Result<Paged<ScanRow>, StoreError> {
        let (from, until) = window_bounds(window);
        let (total, rows) = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            let total = count(
                &sqlx::query("SELECT COUNT(*) FROM scans WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3")
                    .bind(tenant)
                    .bind(&from)
                    .bind(&until)
                    .fetch_one(&mut *tx)
                    .await?,
            )?;
            let (limit, skip) = page_args(page);
            let rows = sqlx::query(&format!(
                "SELECT {SCAN_COLUMNS} FROM scans WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 \
                 ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"
            ))
            .bind(tenant)
            .bind(&from)
            .bind(&until)
            .bind(limit)
            .bind(skip)
            .fetch_all(&mut *tx)
            .await?;
            (total, rows)
        });
        let items = rows.iter().map(scan_from_row).collect::<Result<_, _>>()?;
        Ok(Paged { items, total, skip: page.skip, limit: page.limit })
    }

    /// The framework scores of a tenant's last `limit` succeeded scans (within
    /// `window`), oldest first: what a score-over-time chart draws.
    pub async fn score_history(
        &self,
        tenant: &str,
        window: Option<&AuditWindow>,
        limit: u32,
    ) -> Result<Vec<ScoreHistoryEntry>, StoreError> {
        // Only the scores are read out of each stored digest; the requirements are skipped.
        #[derive(serde::Deserialize)]
        struct Scored {
            started_at: String,
            frameworks: Vec<ScoredFramework>,
        }
        #[derive(serde::Deserialize)]
        struct ScoredFramework {
            framework: String,
            summary: ScoredSummary,
        }
        #[derive(serde::Deserialize)]
        struct ScoredSummary {
            score: Option<f64>,
        }
        let (from, until) = window_bounds(window);
        let rows = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(
                "SELECT id, summary FROM scans WHERE tenant_id = $1 AND status = 'succeeded' AND created_at >= $2 AND created_at < $3 \
                 ORDER BY created_at DESC, id DESC LIMIT $4",
            )
            .bind(tenant)
            .bind(&from)
            .bind(&until)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?
        });
        let mut history = rows
            .iter()
            .map(|row| {
                let (scan_id, summary): (String, String) = (col(row, "id")?, col(row, "summary")?);
                let scored: Scored =
                    serde_json::from_str(&summary).map_err(|e| StoreError::Corrupt(format!("scan {scan_id} summary: {e}")))?;
                let scores = scored.frameworks.into_iter().map(|f| (f.framework, f.summary.score)).collect();
                Ok(ScoreHistoryEntry { scan_id, started_at: scored.started_at, scores })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        history.reverse();
        Ok(history)
    }

    /// One of a tenant's scans.
    pub async fn get_scan(&self, tenant: &str, scan: &str) -> Result<Option<ScanRow>, StoreError> {
        let row = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(&format!("SELECT {SCAN_COLUMNS} FROM scans WHERE id = $1 AND tenant_id = $2"))
                .bind(scan)
                .bind(tenant)
                .fetch_optional(&mut *tx)
                .await?
        });
        row.as_ref().map(scan_from_row).transpose()
    }

    /// The newest succeeded scan of a tenant; within an audit window (by start) if given.
    pub async fn latest_succeeded_scan(&self, tenant: &str, window: Option<&AuditWindow>) -> Result<Option<ScanRow>, StoreError> {
        let (from, until) = window_bounds(window);
        let row = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(&format!(
                "SELECT {SCAN_COLUMNS} FROM scans WHERE tenant_id = $1 AND status = 'succeeded' \
                 AND created_at >= $2 AND created_at < $3 ORDER BY finished_at DESC, id DESC LIMIT 1"
            ))
            .bind(tenant)
            .bind(&from)
            .bind(&until)
            .fetch_optional(&mut *tx)
            .await?
        });
        row.as_ref().map(scan_from_row).transpose()
    }

    /// The inventory a succeeded scan evaluated, as kept for replay (a JSON array of
    /// account documents); `Some(None)` for a scan that did not keep it.
    pub async fn scan_inventory(&self, tenant: &str, scan: &str) -> Result<Option<Option<String>>, StoreError> {
        self.scan_document(tenant, scan, Document::Inventory).await
    }

    /// The scan document of a succeeded scan.
    pub async fn scan_report(&self, tenant: &str, scan: &str) -> Result<Option<ScanReport>, StoreError> {
        let Some(text) = self.scan_document(tenant, scan, Document::Report).await?.flatten() else { return Ok(None) };
        serde_json::from_str(&text).map(Some).map_err(|e| StoreError::Corrupt(format!("scan {scan} document: {e}")))
    }

    /// One stored document of a succeeded scan: `None` when there is no such succeeded
    /// scan, `Some(None)` when it has no document of that kind.
    async fn scan_document(&self, tenant: &str, scan: &str, kind: Document) -> Result<Option<Option<String>>, StoreError> {
        let row = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query(
                "SELECT d.body FROM scans s LEFT JOIN scan_documents d ON d.scan_id = s.id AND d.kind = $3 \
                 WHERE s.id = $1 AND s.tenant_id = $2 AND s.status = 'succeeded'",
            )
            .bind(scan)
            .bind(tenant)
            .bind(kind.as_str())
            .fetch_optional(&mut *tx)
            .await?
        });
        row.map(|row| col(&row, "body")).transpose()
    }

    /// The digest of a succeeded scan: its framework results without its findings.
    pub async fn scan_digest(&self, tenant: &str, scan: &str) -> Result<Option<ScanDigest>, StoreError> {
        let row = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| {
            sqlx::query("SELECT summary FROM scans WHERE id = $1 AND tenant_id = $2 AND status = 'succeeded'")
                .bind(scan)
                .bind(tenant)
                .fetch_optional(&mut *tx)
                .await?
        });
        let Some(row) = row else { return Ok(None) };
        let text: String = col(&row, "summary")?;
        serde_json::from_str(&text).map(Some).map_err(|e| StoreError::Corrupt(format!("scan {scan} summary: {e}")))
    }

    /// The newest succeeded scan of `scope` other than `except`, as drift compares a new
    /// scan with it: its findings' identities and statuses, its framework scores.
    pub async fn previous_of_scope(&self, tenant: &str, scope: &str, except: &str) -> Result<Option<securebase_drift::Side>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let row = sqlx::query(
            "SELECT id, summary FROM scans WHERE tenant_id = $1 AND scope = $2 AND status = 'succeeded' AND id <> $3 \
             ORDER BY finished_at DESC, id DESC LIMIT 1",
        )
        .bind(tenant)
        .bind(scope)
        .bind(except)
        .fetch_optional(&mut *tx)
        .await?;
        let side = match row {
            Some(row) => Some(drift_side(&mut tx, tenant, col(&row, "id")?, &col::<String>(&row, "summary")?).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(side)
    }

    /// One succeeded scan as drift sees it, with its scope (drift compares scans of one
    /// scope); `None` if the tenant has no such succeeded scan.
    pub async fn drift_side(&self, tenant: &str, scan: &str) -> Result<Option<(String, securebase_drift::Side)>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let row = sqlx::query("SELECT id, scope, summary FROM scans WHERE tenant_id = $1 AND id = $2 AND status = 'succeeded'")
            .bind(tenant)
            .bind(scan)
            .fetch_optional(&mut *tx)
            .await?;
        let side = match row {
            Some(row) => {
                let scope: String = col(&row, "scope")?;
                Some((scope, drift_side(&mut tx, tenant, col(&row, "id")?, &col::<String>(&row, "summary")?).await?))
            }
            None => None,
        };
        tx.commit().await?;
        Ok(side)
    }

    /// A succeeded scan's drift document.
    pub async fn scan_drift(&self, tenant: &str, scan: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let text = self.scan_document(tenant, scan, Document::Drift).await?.flatten();
        text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("scan {scan} drift: {e}")))).transpose()
    }

    /// A page of a scan's findings, in the scan document's order (or by severity).
    pub async fn findings(&self, tenant: &str, scan: &str, filter: &FindingFilter, page: Page) -> Result<Paged<FindingRow>, StoreError> {
        let found = in_scope!(self, &Scope::Tenant(tenant.into()), |tx| findings_in(&mut tx, tenant, scan, filter, page, None).await?);
        Ok(found)
    }

    /// A succeeded scan's digest (the newest if `scan` is `None`) with a page of its
    /// findings, read in one transaction: what a compliance report needs. With
    /// `failing_total_of` naming a framework, the filter must select that framework's
    /// failing findings, whose total is then taken from the digest instead of counted.
    pub async fn digest_with_findings(
        &self,
        tenant: &str,
        scan: Option<&str>,
        filter: &FindingFilter,
        page: Page,
        failing_total_of: Option<&str>,
    ) -> Result<Option<(String, ScanDigest, Paged<FindingRow>)>, StoreError> {
        let mut tx = self.tenant_transaction(&Scope::Tenant(tenant.into())).await?;
        let row = match scan {
            None => sqlx::query(
                "SELECT id, summary FROM scans WHERE tenant_id = $1 AND status = 'succeeded' ORDER BY finished_at DESC, id DESC LIMIT 1",
            )
            .bind(tenant)
            .fetch_optional(&mut *tx)
            .await?,
            Some(id) => {
                sqlx::query("SELECT id, summary FROM scans WHERE tenant_id = $1 AND id = $2 AND status = 'succeeded'")
                    .bind(tenant)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
        };
        let Some(row) = row else { return Ok(None) };
        let (id, text): (String, String) = (col(&row, "id")?, col(&row, "summary")?);
        let digest: ScanDigest = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("scan {id} summary: {e}")))?;
        // Counting a large scan's failing findings per request is most of the database's
        // work: the caller may know the total already (from the digest).
        let total = failing_total_of.and_then(|fw| digest.failing_findings.get(fw).copied());
        let found = findings_in(&mut tx, tenant, &id, filter, page, total).await?;
        tx.commit().await?;
        Ok(Some((id, digest, found)))
    }
}

/// A page of findings and their total, in a transaction already bound to `tenant`.
async fn findings_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: &str,
    scan: &str,
    filter: &FindingFilter,
    page: Page,
    known_total: Option<u64>,
) -> Result<Paged<FindingRow>, StoreError> {
    let mut sql = String::from(" FROM findings WHERE tenant_id = $1 AND scan_id = $2");
    let mut args: Vec<String> = vec![tenant.into(), scan.into()];
    let mut push = |sql: &mut String, column: &str, value: &str| {
        args.push(value.to_string());
        sql.push_str(&format!(" AND {column} = ${}", args.len()));
    };
    for (column, value) in [
        ("status", &filter.status),
        ("severity", &filter.severity),
        ("resource_type", &filter.resource_type),
        ("account_id", &filter.account_id),
    ] {
        if let Some(v) = value {
            push(&mut sql, column, v);
        }
    }
    if let Some(checks) = &filter.check_ids {
        if checks.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            let first = args.len() + 1;
            args.extend(checks.iter().cloned());
            let list: Vec<_> = (first..=args.len()).map(|i| format!("${i}")).collect();
            sql.push_str(&format!(" AND check_id IN ({})", list.join(", ")));
        }
    }
    let unfiltered = args.len() == 2 && filter.check_ids.is_none();
    let total = match known_total {
        Some(n) => n,
        // The scan's row has its count: counting 100,000 rows per page is most of a page's cost.
        None if unfiltered => {
            let n: Option<i64> = sqlx::query_scalar("SELECT findings FROM scans WHERE tenant_id = $1 AND id = $2")
                .bind(tenant)
                .bind(scan)
                .fetch_optional(&mut **tx)
                .await?
                .flatten();
            n.unwrap_or(0).max(0) as u64
        }
        None => {
            let count_sql = format!("SELECT COUNT(*){sql}");
            let mut q = sqlx::query_scalar::<_, i64>(&count_sql);
            for a in &args {
                q = q.bind(a.clone());
            }
            q.fetch_one(&mut **tx).await?.max(0) as u64
        }
    };
    let (limit, skip) = page_args(page);
    let n = args.len();
    let order = if filter.by_severity { "severity_rank, seq" } else { "seq" };
    let select = format!(
        "SELECT scan_id, account_id, region, check_id, check_title, resource_type, resource_id, resource_name, \
             resource_arn, status, severity, message, remediation{sql} ORDER BY {order} LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut q = sqlx::query(&select);
    for a in &args {
        q = q.bind(a.clone());
    }
    let rows = q.bind(limit).bind(skip).fetch_all(&mut **tx).await?;
    let items = rows.iter().map(finding_from_row).collect::<Result<_, _>>()?;
    Ok(Paged { items, total, skip: page.skip, limit: page.limit })
}

/// Bounds on `created_at` that keep what falls within `window` (everything without one):
/// stored timestamps are RFC 3339 in UTC, so they compare as text.
fn window_bounds(window: Option<&AuditWindow>) -> (String, String) {
    match window {
        Some(w) => (w.from.clone(), w.end_exclusive()),
        None => (String::new(), "9999-12-31".into()),
    }
}

/// A succeeded scan's side of a drift comparison: its findings' identities and statuses
/// (read in `tx`), its scores and attested requirements (from its stored `summary`).
async fn drift_side(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: &str,
    id: String,
    summary: &str,
) -> Result<securebase_drift::Side, StoreError> {
    let digest: crate::ScanDigest = serde_json::from_str(summary).map_err(|e| StoreError::Corrupt(format!("scan {id} summary: {e}")))?;
    let rows = sqlx::query(
        "SELECT account_id, region, check_id, resource_type, resource_id, status, severity FROM findings \
         WHERE tenant_id = $1 AND scan_id = $2",
    )
    .bind(tenant)
    .bind(&id)
    .fetch_all(&mut **tx)
    .await?;
    let findings = rows
        .iter()
        .map(|r| {
            Ok(securebase_drift::FindingKey {
                account_id: col(r, "account_id")?,
                region: col(r, "region")?,
                check_id: col(r, "check_id")?,
                resource_type: col(r, "resource_type")?,
                resource_id: col(r, "resource_id")?,
                status: col(r, "status")?,
                severity: col(r, "severity")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let scores = digest.frameworks.iter().map(|f| (f.framework.clone(), f.summary.score)).collect();
    let attested = securebase_drift::attested_in(&digest.frameworks);
    Ok(securebase_drift::Side { scan_id: id, findings, scores, attested })
}
