//! Findings as OCSF Compliance Finding events (class 2003, schema 1.1), one event per
//! finding, for SIEMs and security lakes (Security Lake, Splunk, Sentinel ingest OCSF);
//! then one event per requirement a valid attestation covers, its compliance `Pass`
//! decided by a person (who, what, the evidence's SHA-256 in `status_detail`).

use securebase_scan::{FindingEntry, FrameworkEntry, ScanReport};
use serde_json::{Value, json};

/// The OCSF schema version the events follow.
pub const OCSF_VERSION: &str = "1.1.0";

fn severity_id(s: &str) -> u8 {
    match s {
        "info" => 1,
        "low" => 2,
        "medium" => 3,
        "high" => 4,
        "critical" => 5,
        _ => 0,
    }
}

/// OCSF compliance status: 1 Pass, 2 Warning, 3 Fail, 0 Unknown, 99 Other.
fn compliance_status(status: &str) -> (u8, &'static str) {
    match status {
        "pass" => (1, "Pass"),
        "fail" | "excepted" => (3, "Fail"),
        "not_applicable" => (99, "Other"),
        _ => (0, "Unknown"),
    }
}

/// One event per finding, with the requirements (of the scored frameworks) each finding
/// bears on; then one per attested requirement.
pub fn render_ocsf(report: &ScanReport) -> Value {
    let time = securebase_scan::report_time_ms(report);
    let mut events = Vec::new();
    for a in &report.accounts {
        for f in &a.findings {
            events.push(event(report, &a.account_id, a.account_name.as_deref(), f, time));
        }
    }
    events.extend(crate::csv::valid_attestations(report).map(|(a, fw)| attested_event(report, a, fw, time)));
    Value::Array(events)
}

/// A requirement a person attested: compliance `Pass`, with the attestation in
/// `status_detail` (the check-based fields have no check to name).
fn attested_event(report: &ScanReport, a: &securebase_attestations::Attestation, fw: &FrameworkEntry, time: i64) -> Value {
    let fields = json!({
        "severity_id": 1,
        "severity": "Informational",
        "message": format!("{} {} attested: {}", fw.name, a.requirement, a.statement),
        "status_id": 1,
        "status": "New",
        "status_detail": format!("Attestation {} {}", a.id, crate::csv::attestation_detail(a)),
        "finding_info": {
            "uid": format!("securebase:attestation:{}:{}:{}", a.framework, a.requirement, a.id),
            "title": format!("{} {}", fw.name, a.requirement),
            "desc": a.statement,
            "types": ["Compliance", "Attestation"],
        },
        "compliance": {
            "requirements": [format!("{} {}", fw.name, a.requirement)],
            "standards": [format!("{} {}", fw.name, fw.version)],
            "status_id": 1,
            "status": "Pass",
        },
    });
    compliance_finding(report, time, "attestation", fields)
}

/// A Compliance Finding created at the scan's time by this engine, with `fields`.
fn compliance_finding(report: &ScanReport, time: i64, event_code: &str, fields: Value) -> Value {
    let mut event = json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "type_uid": 200301,
        "type_name": "Compliance Finding: Create",
        "time": time,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "SecureBase", "vendor_name": "SecureBase", "version": report.engine.version},
            "event_code": event_code,
        },
    });
    if let (Some(e), Value::Object(f)) = (event.as_object_mut(), fields) {
        e.extend(f);
    }
    event
}

/// The finding's resource. OCSF's `uid` is the resource's unique identifier: on AWS its
/// ARN, where it has one; the AWS Config id then goes in `data` (it also stays in the
/// finding's own uid).
fn resource(f: &FindingEntry) -> Value {
    let uid = f.resource_arn.as_deref().unwrap_or(&f.resource_id);
    let mut resource = json!({
        "uid": uid,
        "name": f.resource_name.as_deref().unwrap_or(&f.resource_id),
        "type": f.resource_type,
        "region": f.region,
        "cloud_partition": "aws",
    });
    if uid != f.resource_id {
        resource["data"] = json!({"resource_id": f.resource_id});
    }
    resource
}

fn event(report: &ScanReport, account: &str, account_name: Option<&str>, f: &FindingEntry, time: i64) -> Value {
    let (status_id, status) = compliance_status(&f.status);
    let mut requirements = Vec::new();
    let mut standards = Vec::new();
    for fw in &report.frameworks {
        let Some(result) =
            report.accounts.iter().find(|x| x.account_id == account).and_then(|x| x.frameworks.iter().find(|r| r.framework == fw.id))
        else {
            continue;
        };
        let ids: Vec<String> =
            result.requirements.iter().filter(|r| r.checks.contains(&f.check_id)).map(|r| format!("{} {}", fw.name, r.id)).collect();
        if !ids.is_empty() {
            standards.push(format!("{} {}", fw.name, fw.version));
            requirements.extend(ids);
        }
    }
    let uid = format!("securebase:{account}:{}:{}:{}", f.check_id, f.resource_type, f.resource_id);
    let fields = json!({
        "severity_id": severity_id(&f.severity),
        "severity": capitalize(&f.severity),
        "message": f.message,
        "finding_info": {"uid": uid, "title": f.check_title, "desc": f.message, "types": ["Compliance"]},
        "compliance": {
            "control": f.check_id,
            "requirements": requirements,
            "standards": standards,
            "status_id": status_id,
            "status": status,
        },
        "remediation": {"desc": f.remediation},
        "resources": [resource(f)],
        "cloud": {
            "provider": "AWS",
            "region": f.region,
            "account": {"uid": account, "name": account_name, "type": "AWS Account", "type_id": 10},
        },
    });
    let mut event = compliance_finding(report, time, &f.check_id, fields);
    // An accepted risk is a failure the organisation chose to live with: OCSF's
    // "Suppressed", with who accepted it and why; everything else is a new finding.
    let exception = f.exception_id.as_deref().and_then(|id| report.exceptions.iter().find(|e| e.exception.id == id));
    match exception {
        Some(e) => {
            event["status_id"] = 3.into();
            event["status"] = "Suppressed".into();
            event["status_detail"] = format!(
                "Exception {}: {} (approved by {}, expires {})",
                e.exception.id, e.exception.justification, e.exception.approved_by, e.exception.expires
            )
            .into();
        }
        None => {
            event["status_id"] = 1.into();
            event["status"] = "New".into();
        }
    }
    event
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
