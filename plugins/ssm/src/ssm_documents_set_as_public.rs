//! Systems Manager documents the account owns are not shared publicly.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};
use serde_json::Value;

/// Our own resource type: each document the account owns (`ListDocuments` with owner
/// `Self`) with `DescribeDocumentPermission`'s `accountIds`; `"all"` means public.
const DOCUMENT: &str = "SecureBase::SSM::Document";

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "ssm_documents_set_as_public",
        title: "SSM documents are not shared publicly",
        severity: Severity::High,
        resource_types: &[DOCUMENT],
        rationale: "Anyone can read and run a public document; its commands, scripts and parameters often reveal internal hosts, bucket names or even secrets, and show an attacker how the estate is run.",
        remediation: "aws ssm modify-document-permission --name DOCUMENT --permission-type Share --account-ids-to-remove all (share with named accounts instead), then block public sharing: aws ssm update-service-setting --setting-id /ssm/documents/console/public-sharing-permission --setting-value Disable",
        references: &[reference("aws-config-rule", "SSM_DOCUMENT_NOT_PUBLIC"), reference("prowler", "ssm_documents_set_as_public")],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for d in inv.items(DOCUMENT).iter() {
        let name = d.name();
        let shared: Vec<&str> = d.config("/accountIds").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        if shared.iter().any(|a| a.eq_ignore_ascii_case("all")) {
            out.fail(d, format!("Document {name} is public: it is shared with all AWS accounts."));
        } else if shared.is_empty() {
            out.pass(d, format!("Document {name} is not shared."));
        } else {
            out.pass(d, format!("Document {name} is not public; it is shared only with {}.", shared.join(", ")));
        }
    }
}
