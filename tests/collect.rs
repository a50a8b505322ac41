//! Live collection against a real local AWS mock: moto's server, started here on
//! loopback and stopped afterwards, seeded with boto3; `securebase collect` reads it
//! with the AWS SDK for Rust and `securebase scan` evaluates what it wrote.

use securebase_e2e::moto::Moto;
use serde_json::Value;
use std::collections::HashMap;
use std::process::Command;

fn securebase(args: &[&str], cache: &std::path::Path) -> std::process::Output {
    Command::new(securebase_e2e::binary())
        .args(args)
        .env("SECUREBASE_CACHE_DIR", cache)
        // Credentials for the mock only; nothing else of the machine's AWS setup.
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap()
}

#[test]
fn collected_s3_buckets_scan_like_the_seeded_truth() {
    let moto = Moto::start();
    moto.seed();
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.toml");
    // moto's default account; the role is assumed through moto's STS.
    std::fs::write(
        &accounts,
        "[defaults]\nregions = [\"us-east-1\"]\n\n[[account]]\nid = \"123456789012\"\nname = \"mock\"\n\
         role_arn = \"arn:aws:iam::123456789012:role/SecureBaseReadOnly\"\nexternal_id = \"do-not-log-me\"\n",
    )
    .unwrap();
    let out = dir.path().join("snapshot");
    let collected = securebase(
        &["collect", "--accounts", accounts.to_str().unwrap(), "--out", out.to_str().unwrap(), "--endpoint-url", &moto.url],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&collected.stderr);
    assert!(collected.status.success(), "{stderr}");
    assert!(stderr.contains("Wrote 1 of 1 account(s)") && stderr.contains("(0 error(s))"), "{stderr}");
    let snapshot = std::fs::read_to_string(out.join("123456789012.json")).unwrap();
    assert!(!snapshot.contains("do-not-log-me") && !stderr.contains("do-not-log-me"), "the external id is never written");
    let doc: Value = serde_json::from_str(&snapshot).unwrap();
    let bucket = |name: &str| doc["configurationItems"].as_array().unwrap().iter().find(|i| i["resourceId"] == name).unwrap().clone();
    assert_eq!(bucket("bad-bucket")["awsRegion"], "eu-west-1");
    assert_eq!(bucket("bad-bucket")["tags"]["team"], "web");
    assert_eq!(bucket("good-bucket")["arn"], "arn:aws:s3:::good-bucket");

    let scan = securebase(&["scan", "--inventory", out.to_str().unwrap(), "--format", "json"], dir.path());
    assert!(scan.status.success(), "{}", String::from_utf8_lossy(&scan.stderr));
    let report: Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert_eq!(report["plugin_errors"].as_array().unwrap().len(), 0);
    let verdicts: HashMap<(String, String), String> = report["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource_type"] == "AWS::S3::Bucket")
        .map(|f| {
            ((f["check_id"].as_str().unwrap().into(), f["resource_id"].as_str().unwrap().into()), f["status"].as_str().unwrap().into())
        })
        .collect();
    for check in [
        "s3_bucket_default_encryption",
        "s3_bucket_level_public_access_block",
        "s3_bucket_object_versioning",
        "s3_bucket_public_access",
        "s3_bucket_secure_transport_policy",
        "s3_bucket_server_access_logging_enabled",
    ] {
        assert_eq!(verdicts[&(check.to_string(), "good-bucket".to_string())], "pass", "{check} on good-bucket");
        assert_eq!(verdicts[&(check.to_string(), "bad-bucket".to_string())], "fail", "{check} on bad-bucket");
    }
    // The log bucket grants the log-delivery group, which is not public.
    assert_eq!(verdicts[&("s3_bucket_public_access".to_string(), "good-logs".to_string())], "pass");
}

#[test]
fn an_unreachable_endpoint_is_an_error_entry_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.toml");
    std::fs::write(&accounts, "[[account]]\nid = \"123456789012\"\nregions = [\"us-east-1\"]\n").unwrap();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = dir.path().join("snapshot");
    let r = securebase(
        &[
            "collect",
            "--accounts",
            accounts.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{stderr}");
    assert!(stderr.contains("warning: account 123456789012 s3 [global]: ListBuckets"), "{stderr}");
    assert!(stderr.contains("(1 error(s))"), "{stderr}");
    // A bad accounts file names the file and the field, and exits 2.
    std::fs::write(&accounts, "[[account]]\nid = \"12\"\nregions = [\"us-east-1\"]\n").unwrap();
    let r = securebase(&["collect", "--accounts", accounts.to_str().unwrap(), "--out", out.to_str().unwrap()], dir.path());
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("accounts.toml: account[0].id: expected 12 digits"));
}
