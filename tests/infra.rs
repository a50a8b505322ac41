//! The customer's side of a deployment, under `infra/`: the read-only role as a
//! CloudFormation template (one account, or every account of an organization as a
//! StackSet) and as Terraform modules. Each grants exactly the policy of
//! `infra/iam/securebase-readonly-policy.json` (the one source of truth, itself held to
//! the collectors' calls by `securebase-collect`'s tests), trusts only the service's own
//! principal with the tenant's external ID, and passes the linters (cfn-lint, checkov)
//! that `tests/run` installs.

use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const POLICY: &str = "iam/securebase-readonly-policy.json";
const TRUST: &str = "iam/securebase-readonly-trust.json";
const TEMPLATE: &str = "aws/cloudformation/securebase-readonly-role.yaml";
const ROLE_MODULE: &str = "aws/terraform/securebase-readonly-role";
const ORG_MODULE: &str = "aws/terraform/organization";
const COMPOSE: &str = "compose.yaml";
const ENV_EXAMPLE: &str = "compose/securebase.env.example";

fn infra() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra")
}

fn read(rel: &str) -> String {
    let path = infra().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_file(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap_or_else(|e| panic!("infra/{rel}: {e}"))
}

fn template() -> Value {
    serde_norway::from_str(&read(TEMPLATE)).unwrap_or_else(|e| panic!("infra/{TEMPLATE}: {e}"))
}

/// A Terraform file as a JSON-like value: blocks become nested objects (`resource` →
/// type → name → body, repeated blocks an array), expressions become `${...}` strings.
fn terraform(rel: &str) -> Value {
    hcl::from_str(&read(rel)).unwrap_or_else(|e| panic!("infra/{rel}: {e}"))
}

/// `Condition` of a policy statement as (operator, key) pairs.
fn condition_keys(statement: &Value) -> BTreeSet<(String, String)> {
    let condition = statement["Condition"].as_object().expect("a Condition");
    condition.iter().flat_map(|(op, keys)| keys.as_object().unwrap().keys().map(move |k| (op.clone(), k.clone()))).collect()
}

#[test]
fn the_cloudformation_role_grants_exactly_the_policy_file_and_nothing_else() {
    let t = template();
    let resources = t["Resources"].as_object().expect("Resources");
    assert_eq!(resources.keys().collect::<Vec<_>>(), ["ReadOnlyRole"], "the template creates the role only");
    let role = &resources["ReadOnlyRole"];
    assert_eq!(role["Type"], "AWS::IAM::Role");
    let properties = role["Properties"].as_object().unwrap();
    assert!(!properties.contains_key("ManagedPolicyArns") && !properties.contains_key("PermissionsBoundary"), "{properties:?}");
    let policies = properties["Policies"].as_array().expect("inline policies");
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0]["PolicyDocument"], json_file(POLICY), "the template's policy differs from infra/{POLICY}");
    let actions = policies[0]["PolicyDocument"]["Statement"][0]["Action"].as_array().unwrap();
    assert!(actions.len() > 40 && actions.iter().all(|a| !a.as_str().unwrap().contains('*')), "{actions:?}");
}

#[test]
fn the_cloudformation_role_trusts_only_the_services_principal_with_the_external_id() {
    let t = template();
    let trust = &t["Resources"]["ReadOnlyRole"]["Properties"]["AssumeRolePolicyDocument"];
    let statements = trust["Statement"].as_array().expect("trust statements");
    assert_eq!(statements.len(), 1, "{statements:?}");
    let s = &statements[0];
    assert_eq!((&s["Effect"], &s["Action"]), (&json!("Allow"), &json!("sts:AssumeRole")));
    assert_eq!(s["Condition"]["StringEquals"]["sts:ExternalId"], json!({ "Ref": "ExternalId" }));
    assert_eq!(s["Condition"]["ArnEquals"]["aws:PrincipalArn"], json!({ "Ref": "ScannerPrincipalArn" }));
    // The same conditions as the trust policy documented for hand-made roles.
    let documented = json_file(TRUST);
    let documented = documented["Statement"].as_array().unwrap();
    assert_eq!(documented.len(), 1);
    assert_eq!(condition_keys(s), condition_keys(&documented[0]));
    assert_eq!(condition_keys(s).len(), 2);
    let parameters = &t["Parameters"];
    assert_eq!(parameters["ExternalId"]["NoEcho"], json!(true), "the external ID is not shown in the console");
    assert!(parameters["ExternalId"]["Default"].is_null() && parameters["ScannerPrincipalArn"]["Default"].is_null());
}

#[test]
fn the_terraform_module_grants_the_policy_file_and_trusts_like_the_template() {
    let copy = read(&format!("{ROLE_MODULE}/securebase-readonly-policy.json"));
    assert_eq!(copy, read(POLICY), "infra/{ROLE_MODULE}/securebase-readonly-policy.json must be a copy of infra/{POLICY}");
    let main = terraform(&format!("{ROLE_MODULE}/main.tf"));
    let policy = &main["resource"]["aws_iam_role_policy"]["securebase_collect_readonly"]["policy"];
    assert_eq!(policy, &json!("${file(\"${path.module}/securebase-readonly-policy.json\")}"));
    let role = &main["resource"]["aws_iam_role"]["securebase_readonly"];
    assert_eq!(role["assume_role_policy"], json!("${data.aws_iam_policy_document.trust.json}"));
    let statement = &main["data"]["aws_iam_policy_document"]["trust"]["statement"];
    assert_eq!(statement["actions"], json!(["sts:AssumeRole"]));
    let conditions = statement["condition"].as_array().expect("two condition blocks");
    let found: BTreeSet<(String, String, String)> = conditions
        .iter()
        .map(|c| (c["test"].as_str().unwrap().into(), c["variable"].as_str().unwrap().into(), c["values"][0].as_str().unwrap().into()))
        .collect();
    let expected = BTreeSet::from([
        ("StringEquals".into(), "sts:ExternalId".into(), "${var.external_id}".into()),
        ("ArnEquals".into(), "aws:PrincipalArn".into(), "${var.scanner_principal_arn}".into()),
    ]);
    assert_eq!(found, expected);
    let template_conditions: BTreeSet<_> = found.iter().map(|(op, key, _)| (op.clone(), key.clone())).collect();
    let cfn = template();
    assert_eq!(
        template_conditions,
        condition_keys(&cfn["Resources"]["ReadOnlyRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0])
    );
    let variables = terraform(&format!("{ROLE_MODULE}/variables.tf"));
    assert_eq!(variables["variable"]["external_id"]["sensitive"], json!(true));
}

#[test]
fn the_organization_module_deploys_the_template_to_new_accounts_as_a_service_managed_stack_set() {
    let main = terraform(&format!("{ORG_MODULE}/main.tf"));
    let set = &main["resource"]["aws_cloudformation_stack_set"]["securebase_readonly"];
    assert_eq!(set["permission_model"], "SERVICE_MANAGED");
    assert_eq!(set["auto_deployment"]["enabled"], json!(true));
    assert_eq!(set["capabilities"], json!(["CAPABILITY_NAMED_IAM"]));
    // The StackSet deploys the very template the other tests check.
    let body = set["template_body"].as_str().unwrap();
    let rel = body.strip_prefix("${file(\"${path.module}/").and_then(|b| b.strip_suffix("\")}")).unwrap_or_else(|| panic!("{body}"));
    let path = infra().join(ORG_MODULE).join(rel);
    assert_eq!(std::fs::canonicalize(&path).unwrap(), std::fs::canonicalize(infra().join(TEMPLATE)).unwrap());
    // It passes every parameter the template requires, and none it does not declare.
    let passed: BTreeSet<&str> = set["parameters"].as_object().unwrap().keys().map(String::as_str).collect();
    let t = template();
    let declared = t["Parameters"].as_object().unwrap();
    let required: BTreeSet<&str> = declared.iter().filter(|(_, p)| p["Default"].is_null()).map(|(k, _)| k.as_str()).collect();
    assert_eq!(required, BTreeSet::from(["ExternalId", "ScannerPrincipalArn"]));
    assert!(passed.is_superset(&required), "{passed:?}");
    assert!(passed.iter().all(|p| declared.contains_key(*p)), "{passed:?}");
    let instance = &main["resource"]["aws_cloudformation_stack_set_instance"]["organizational_units"];
    assert_eq!(instance["deployment_targets"]["organizational_unit_ids"], json!("${var.organizational_unit_ids}"));
    let module = &main["module"]["management_account"];
    assert_eq!(module["source"], "../securebase-readonly-role");
}

/// The tools `tests/run` installs (in their own virtual environment, so their
/// dependencies cannot disturb moto's): `SECUREBASE_INFRA_TOOLS` names its `bin`.
fn tool(name: &str) -> Command {
    let dir = std::env::var("SECUREBASE_INFRA_TOOLS")
        .unwrap_or_else(|_| panic!("SECUREBASE_INFRA_TOOLS is not set: run the tests with tests/run, which installs {name}"));
    let mut c = Command::new(Path::new(&dir).join(name));
    c.current_dir(infra());
    c
}

fn passes(mut c: Command, what: &str) -> String {
    let out = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

#[test]
fn the_templates_pass_cfn_lint_and_checkov() {
    let mut lint = tool("cfn-lint");
    lint.arg(TEMPLATE);
    passes(lint, "cfn-lint");

    let mut checkov = tool("checkov");
    checkov.args(["--directory", ".", "--compact", "--quiet", "--skip-download", "--output", "json"]);
    let text = passes(checkov, "checkov");
    let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("checkov's report: {e}\n{text}"));
    let reports = match report {
        Value::Array(r) => r,
        one => vec![one],
    };
    let kinds: BTreeSet<&str> = reports.iter().filter_map(|r| r["check_type"].as_str()).collect();
    assert!(["cloudformation", "terraform", "dockerfile"].iter().all(|k| kinds.contains(k)), "checkov read {kinds:?}");
    for r in &reports {
        let summary = &r["summary"];
        assert_eq!(summary["failed"], json!(0), "{}: {}", r["check_type"], r["results"]["failed_checks"]);
        assert!(summary["passed"].as_u64().unwrap() > 0, "{}: nothing checked", r["check_type"]);
    }
}

/// `compose.yaml` with its anchors and merge keys resolved, as JSON.
fn compose() -> Value {
    let mut v: serde_norway::Value = serde_norway::from_str(&read(COMPOSE)).unwrap_or_else(|e| panic!("infra/{COMPOSE}: {e}"));
    v.apply_merge().unwrap();
    serde_json::to_value(v).unwrap()
}

#[test]
fn compose_runs_postgres_an_api_without_workers_and_two_workers_as_the_app_role() {
    let c = compose();
    let services = c["services"].as_object().expect("services");
    assert_eq!(services.keys().collect::<Vec<_>>(), ["postgres", "serve", "worker"]);
    let (serve, worker) = (&services["serve"], &services["worker"]);
    let args = |s: &Value| s["command"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(args(serve)[..1], ["serve"]);
    assert!(args(serve).windows(2).any(|w| w == ["--workers", "0"]), "{:?}", args(serve));
    assert_eq!(args(worker)[..1], ["worker"]);
    assert_eq!(worker["deploy"]["replicas"], json!(2));
    for (name, s) in [("serve", serve), ("worker", worker)] {
        assert_eq!(s["read_only"], json!(true), "{name}");
        assert_eq!(s["user"], json!("10001:10001"), "{name}");
        assert_eq!(s["cap_drop"], json!(["ALL"]), "{name}");
        assert!(args(s).iter().any(|a| a == "--metrics-listen"), "{name}");
        let build = &s["build"];
        let dockerfile = infra().join(build["context"].as_str().unwrap()).join(build["dockerfile"].as_str().unwrap());
        assert!(dockerfile.is_file(), "{name}: {}", dockerfile.display());
        let env = &s["environment"];
        let app = env["SECUREBASE_DATABASE_URL"].as_str().unwrap();
        let owner = env["SECUREBASE_MIGRATION_DATABASE_URL"].as_str().unwrap();
        assert!(app.starts_with("postgres://securebase_app:${"), "{name} serves as the role that owns nothing: {app}");
        assert!(owner.starts_with("postgres://securebase:${"), "{name} migrates as the owner: {owner}");
        assert_eq!(s["depends_on"]["postgres"]["condition"], "service_healthy", "{name}");
    }
    // The init script the PostgreSQL service mounts is here, and creates that role.
    let mounts = services["postgres"]["volumes"].as_array().unwrap();
    let init = mounts.iter().filter_map(|m| m.as_str()?.split(':').next()?.strip_prefix("./")).next().expect("an init script");
    assert!(read(init).contains("CREATE ROLE securebase_app LOGIN"), "{init}");
}

/// No secret is written in `compose.yaml`: every password and key comes from `infra/.env`
/// as a required interpolation, and the example env file lists exactly those.
#[test]
fn compose_takes_every_secret_from_the_env_file_its_example_lists() {
    let text = read(COMPOSE);
    let required: BTreeSet<String> = text
        .split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once(":?").map(|(name, _)| name.to_string()))
        .filter(|name| name.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_'))
        .collect();
    assert_eq!(required.len(), 3, "{required:?}");
    let example: BTreeSet<String> = read(ENV_EXAMPLE)
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && l.contains('='))
        .map(|l| l.split('=').next().unwrap().trim().to_string())
        .collect();
    assert_eq!(required, example, "infra/{ENV_EXAMPLE} lists what infra/{COMPOSE} requires");
    let c = compose();
    let mut checked = 0;
    for (name, service) in c["services"].as_object().unwrap() {
        for (key, value) in service["environment"].as_object().into_iter().flatten() {
            let value = value.as_str().unwrap_or_default();
            if ["PASSWORD", "SECRET", "KEY", "DATABASE_URL"].iter().any(|k| key.contains(k)) {
                checked += 1;
                assert!(value.contains("${") && value.contains(":?"), "{name}.{key} is written in compose.yaml: {value}");
            }
        }
    }
    assert!(checked >= 8, "{checked} secret-bearing variables checked");
    assert!(
        std::fs::read_to_string(infra().join("../.gitignore")).unwrap().lines().any(|l| l == "/infra/.env"),
        "infra/.env is never committed"
    );
}
