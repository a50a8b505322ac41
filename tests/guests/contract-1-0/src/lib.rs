//! Test guest: a plugin built against `securebase:control@1.0.0` (the frozen copy in
//! `wit/`), as a tenant's plugin from before 1.1 is. It reads its items with the 1.0
//! call (`items`, configuration as JSON text, parsed here) and implements one check the
//! built-in `s3` plugin also has, so `tests/contract.rs` can compare the two verdicts.

#[cfg(target_arch = "wasm32")]
// Generated canonical-ABI glue is unsafe by nature; the guest code itself is not.
#[allow(unsafe_code)]
mod component {
    wit_bindgen::generate!({ path: "wit", world: "plugin" });

    use exports::securebase::control::control::{Finding, Guest, PluginMetadata};
    use securebase::control::inventory;
    use securebase::control::types::{CheckMetadata, Reference, Severity, Status};

    const BUCKET: &str = "AWS::S3::Bucket";
    const CHECK: &str = "v1_s3_bucket_versioning";

    struct V1;

    impl Guest for V1 {
        fn metadata() -> PluginMetadata {
            PluginMetadata {
                name: "contract-1-0".into(),
                version: "1.0.0".into(),
                checks: vec![CheckMetadata {
                    id: CHECK.into(),
                    title: "S3 buckets have versioning enabled (read through contract 1.0)".into(),
                    severity: Severity::Medium,
                    resource_types: vec![BUCKET.into()],
                    rationale: "Versioning keeps prior versions of objects.".into(),
                    remediation: "Enable versioning on the bucket.".into(),
                    references: vec![Reference { kind: "prowler".into(), value: "s3_bucket_object_versioning".into() }],
                }],
            }
        }

        fn evaluate() -> Result<Vec<Finding>, String> {
            let mut findings = Vec::new();
            for bucket in inventory::items(BUCKET) {
                let supplementary: serde_json::Value =
                    serde_json::from_str(&bucket.supplementary_configuration).map_err(|e| format!("{}: {e}", bucket.resource_id))?;
                let status = supplementary.pointer("/BucketVersioningConfiguration/status").and_then(|v| v.as_str()).unwrap_or("Off");
                findings.push(Finding {
                    check_id: CHECK.into(),
                    resource_type: BUCKET.into(),
                    resource_id: bucket.resource_id,
                    status: if status == "Enabled" { Status::Pass } else { Status::Fail },
                    message: format!("versioning {status}"),
                });
            }
            Ok(findings)
        }
    }

    export!(V1);
}
