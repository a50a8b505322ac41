//! The customer's side of a deployment, under `infra/`: the read-only role as a
//! CloudFormation template (one account, or every account of an organization as a
//! StackSet) and as Terraform modules. Each grants exactly the policy of
//! `infra/iam/securebase-readonly-policy.json` (the one source of truth, itself held to
//! the collectors' calls by `securebase-collect`'s tests), trusts only the service's own
//! principal with the tenant's external ID, and passes the linters (cfn-lint, checkov)
//! that `tests/run` installs. The operator's side: the Helm chart, rendered (by helm
//! where installed, else by `tests/helm/render.go`), compared with its reviewed
//! rendering, held to PodSecurity "restricted", its network rules and the binary's own
//! flags, and validated against the Kubernetes schemas and checkov.

use serde::Deserialize;
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

// ---- The Helm chart (infra/helm/securebase) ----

const CHART: &str = "helm/securebase";
/// The chart rendered with its default values, reviewed as a diff like the other golden files.
const RENDERED: &str = "../tests/golden/helm-securebase.yaml";
const RELEASE: &str = "securebase";

/// `a` with `b` laid over it, objects merged key by key (as Helm merges `--values`).
fn merged(mut a: Value, b: &Value) -> Value {
    match (&mut a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                let slot = a.remove(k).unwrap_or(Value::Null);
                a.insert(k.clone(), merged(slot, v));
            }
        }
        (a, b) => *a = b.clone(),
    }
    a
}

fn yaml_file(rel: &str) -> Value {
    serde_norway::from_str(&read(rel)).unwrap_or_else(|e| panic!("infra/{rel}: {e}"))
}

/// The chart rendered with `overrides` over its values: by `helm template` where helm is
/// installed, else by `tests/helm/render.go` (Go's text/template, as Helm uses, with the
/// Sprig functions the chart calls), which `tests/run` makes runnable by installing Go.
fn render(overrides: &Value) -> String {
    let dir = tempfile::tempdir().unwrap();
    let chart = infra().join(CHART);
    let helm = Command::new("helm").arg("version").output().is_ok_and(|o| o.status.success());
    let out = if helm {
        let values = dir.path().join("overrides.json");
        std::fs::write(&values, overrides.to_string()).unwrap();
        Command::new("helm")
            .args(["template", RELEASE])
            .arg(&chart)
            .args(["--namespace", RELEASE, "--values"])
            .arg(&values)
            .output()
            .expect("helm template")
    } else {
        let chart_yaml = yaml_file(&format!("{CHART}/Chart.yaml"));
        let context = json!({
            "Values": merged(yaml_file(&format!("{CHART}/values.yaml")), overrides),
            "Chart": { "Name": chart_yaml["name"], "Version": chart_yaml["version"], "AppVersion": chart_yaml["appVersion"] },
            "Release": { "Name": RELEASE, "Namespace": RELEASE, "Service": "Helm", "IsInstall": true, "Revision": 1 },
        });
        let file = dir.path().join("context.json");
        std::fs::write(&file, context.to_string()).unwrap();
        Command::new("go")
            .arg("run")
            .arg(infra().join("../tests/helm/render.go"))
            .arg(&chart)
            .arg(&file)
            // The standard library only: nothing to download.
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=mod")
            .output()
            .unwrap_or_else(|e| panic!("neither helm nor go is installed ({e}): run the tests with tests/run, which installs Go"))
    };
    assert!(out.status.success(), "rendering the chart failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The manifests of a rendering, as JSON values, empty documents left out.
fn manifests(text: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(text)
        .map(|d| serde_json::to_value(serde_norway::Value::deserialize(d).unwrap()).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

fn named(docs: &[Value], kind: &str, suffix: &str) -> Value {
    let name = format!("{RELEASE}{suffix}");
    let found: Vec<&Value> = docs.iter().filter(|d| d["kind"] == kind && d["metadata"]["name"] == name.as_str()).collect();
    assert_eq!(found.len(), 1, "{kind} {name}: {} found", found.len());
    found[0].clone()
}

fn kinds(docs: &[Value]) -> Vec<String> {
    docs.iter().map(|d| format!("{}/{}", d["kind"].as_str().unwrap(), d["metadata"]["name"].as_str().unwrap())).collect()
}

/// The default rendering, checked against the reviewed one.
fn default_manifests() -> Vec<Value> {
    let text = render(&json!({}));
    let path = infra().join(RENDERED);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_GOLDEN=1", path.display()));
    let (actual, expected) = (manifests(&text), manifests(&golden));
    assert_eq!(kinds(&actual), kinds(&expected), "the chart's objects differ from tests/golden/helm-securebase.yaml");
    for (a, e) in actual.iter().zip(&expected) {
        assert_eq!(
            a, e,
            "{} {} differs from tests/golden/helm-securebase.yaml: review the change, then UPDATE_GOLDEN=1 to accept it",
            a["kind"], a["metadata"]["name"]
        );
    }
    actual
}

#[test]
fn the_chart_renders_the_reviewed_api_worker_migration_job_autoscaler_and_network_policies() {
    let docs = default_manifests();
    assert_eq!(
        kinds(&docs).into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from(
            [
                "Deployment/securebase-api",
                "Service/securebase-api",
                "Deployment/securebase-worker",
                "HorizontalPodAutoscaler/securebase-worker",
                "Job/securebase-migrate",
                "NetworkPolicy/securebase-api",
                "NetworkPolicy/securebase-worker",
                "NetworkPolicy/securebase-migrate",
                "ServiceAccount/securebase",
            ]
            .map(String::from)
        )
    );
    assert!(docs.iter().all(|d| d["metadata"]["namespace"] == RELEASE), "every object in the release's namespace");
    // The migrations run before the release's objects are created or changed.
    let job = named(&docs, "Job", "-migrate");
    assert_eq!(job["metadata"]["annotations"]["helm.sh/hook"], "pre-install,pre-upgrade");
    assert_eq!(job["spec"]["template"]["spec"]["restartPolicy"], "Never");
    // The workers scale on the queue's depth as the service exports it.
    let worker = named(&docs, "Deployment", "-worker");
    assert!(worker["spec"].get("replicas").is_none(), "the HPA owns the worker count: {}", worker["spec"]);
    let hpa = named(&docs, "HorizontalPodAutoscaler", "-worker");
    assert_eq!(hpa["spec"]["scaleTargetRef"], json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "securebase-worker"}));
    let metric = &hpa["spec"]["metrics"][0]["external"]["metric"];
    let series = format!(
        "{}{{{}}}",
        metric["name"].as_str().unwrap(),
        metric["selector"]["matchLabels"].as_object().unwrap().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
    );
    let exported = securebase_metrics::Metrics::new();
    exported.set_queue(7, 1);
    assert_eq!(securebase_metrics::sample(&exported.render(), &series), Some(7.0), "{series} is not a series the service exports");

    // Without autoscaling the count is fixed; with an ingress it routes to the API's port.
    let docs = manifests(&render(&json!({"worker": {"autoscaling": {"enabled": false}}, "ingress": {"enabled": true}})));
    assert!(docs.iter().all(|d| d["kind"] != "HorizontalPodAutoscaler"), "{:?}", kinds(&docs));
    assert_eq!(named(&docs, "Deployment", "-worker")["spec"]["replicas"], json!(2));
    let ingress = named(&docs, "Ingress", "");
    let backend = &ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"];
    assert_eq!(backend, &json!({"name": "securebase-api", "port": {"name": "http"}}));
    assert_eq!(
        ingress["spec"]["tls"][0]["hosts"],
        ingress["spec"]["rules"].as_array().unwrap().iter().map(|r| r["host"].clone()).collect::<Value>()
    );
}

/// Every pod template of a rendering, by its component label.
fn pods(docs: &[Value]) -> Vec<(String, Value)> {
    docs.iter()
        .filter(|d| ["Deployment", "Job"].contains(&d["kind"].as_str().unwrap()))
        .map(|d| {
            let template = &d["spec"]["template"];
            (template["metadata"]["labels"]["app.kubernetes.io/component"].as_str().unwrap().to_string(), template.clone())
        })
        .collect()
}

/// PodSecurity "restricted", field by field, and secrets only by reference: no pod runs
/// as root, escalates, keeps a capability or writes its root filesystem, and no password
/// or key is written in a manifest. The owner's database URL reaches the job alone.
#[test]
fn the_chart_s_pods_meet_pod_security_restricted_and_take_secrets_by_reference() {
    let docs = default_manifests();
    let pods = pods(&docs);
    assert_eq!(pods.iter().map(|(c, _)| c.as_str()).collect::<BTreeSet<_>>(), BTreeSet::from(["api", "migrate", "worker"]));
    let mut containers = 0;
    for (component, pod) in &pods {
        let spec = &pod["spec"];
        let security = &spec["securityContext"];
        assert_eq!(security["runAsNonRoot"], json!(true), "{component}");
        assert!(security["runAsUser"].as_u64().unwrap() > 10000, "{component}: a high uid");
        assert_eq!(security["seccompProfile"]["type"], "RuntimeDefault", "{component}");
        assert_eq!(spec["automountServiceAccountToken"], json!(false), "{component}");
        for host in ["hostNetwork", "hostPID", "hostIPC"] {
            assert!(spec.get(host).is_none(), "{component}: {host}");
        }
        let volumes = spec["volumes"].as_array().expect("volumes");
        assert!(volumes.iter().all(|v| v.get("emptyDir").is_some()), "{component}: only scratch volumes: {volumes:?}");
        for c in spec["containers"].as_array().unwrap() {
            containers += 1;
            let s = &c["securityContext"];
            assert_eq!(s["allowPrivilegeEscalation"], json!(false), "{component}");
            assert_eq!(s["readOnlyRootFilesystem"], json!(true), "{component}");
            assert_eq!(s["capabilities"], json!({"drop": ["ALL"]}), "{component}: no capability kept or added");
            assert!(c["resources"]["limits"]["memory"].is_string() && c["resources"]["limits"]["cpu"].is_string(), "{component}");
            let env = c["env"].as_array().unwrap();
            for var in env {
                let name = var["name"].as_str().unwrap();
                if ["URL", "KEY", "PASSWORD", "SECRET"].iter().any(|k| name.contains(k)) {
                    assert!(var.get("value").is_none(), "{component}: {name} is written in the manifest");
                    assert!(var["valueFrom"]["secretKeyRef"]["name"].is_string(), "{component}: {name} comes from a Secret");
                }
            }
            let names: BTreeSet<&str> = env.iter().map(|v| v["name"].as_str().unwrap()).collect();
            let owner = names.contains("SECUREBASE_MIGRATION_DATABASE_URL");
            assert_eq!(owner, component == "migrate", "{component}: the owner's URL is the migration job's alone");
            assert_eq!(names.contains("SECUREBASE_DATABASE_URL"), component != "migrate", "{component}");
            if component != "migrate" {
                // Probes on a port the container declares: alive while the process answers, ready while the database does.
                let ports: BTreeSet<&str> = c["ports"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
                for (probe, path) in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")] {
                    assert_eq!(c[probe]["httpGet"]["path"], path, "{component}");
                    assert!(ports.contains(c[probe]["httpGet"]["port"].as_str().unwrap()), "{component}: {probe}");
                }
            }
        }
    }
    assert_eq!(containers, 3);
}

/// The commands the chart runs are the binary's: each subcommand and flag is one its
/// `--help` documents, the services never migrate and the job does nothing else.
#[test]
fn the_chart_runs_the_binary_s_own_commands_and_flags() {
    let docs = default_manifests();
    let mut checked = 0;
    for (component, pod) in pods(&docs) {
        let args: Vec<&str> = pod["spec"]["containers"][0]["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        let help = Command::new(securebase_e2e::binary()).args([args[0], "--help"]).output().unwrap();
        assert!(help.status.success(), "{component}: securebase {} is no command", args[0]);
        let help = String::from_utf8(help.stdout).unwrap();
        for flag in args.iter().filter(|a| a.starts_with("--")) {
            checked += 1;
            assert!(
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                "{component}: securebase {} has no {flag}",
                args[0]
            );
        }
        match component.as_str() {
            "api" => assert!(args[0] == "serve" && args.contains(&"--no-migrate") && args.windows(2).any(|w| w == ["--workers", "0"])),
            "worker" => assert!(args[0] == "worker" && args.contains(&"--no-migrate")),
            "migrate" => assert_eq!(args, ["migrate"]),
            other => panic!("{other}"),
        }
    }
    assert!(checked >= 5, "{checked} flags checked");
}

/// What each component may reach and be reached by. Every pod is selected by exactly one
/// policy that denies by default in both directions; workers alone leave the cluster,
/// over HTTPS to public addresses (AWS, webhooks) and never to private ranges or the
/// instance metadata service; the API is reached by the ingress controller only.
#[test]
fn the_chart_s_network_policies_confine_each_component() {
    let docs = default_manifests();
    let policies: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "NetworkPolicy").collect();
    assert_eq!(policies.len(), 3);
    for (component, pod) in pods(&docs) {
        let labels = pod["metadata"]["labels"].as_object().unwrap();
        let selecting: Vec<&&Value> = policies
            .iter()
            .filter(|p| p["spec"]["podSelector"]["matchLabels"].as_object().unwrap().iter().all(|(k, v)| labels.get(k) == Some(v)))
            .collect();
        assert_eq!(selecting.len(), 1, "{component}: selected by {} policies", selecting.len());
        assert_eq!(selecting[0]["spec"]["policyTypes"], json!(["Ingress", "Egress"]), "{component}");
    }
    let values = yaml_file(&format!("{CHART}/values.yaml"));
    let ports = |rules: &Value| -> BTreeSet<(String, u64)> {
        rules
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| {
                r["ports"].as_array().unwrap().iter().map(|p| (p["protocol"].as_str().unwrap().to_string(), p["port"].as_u64().unwrap()))
            })
            .collect()
    };
    let dns_and_db = BTreeSet::from([("UDP".into(), 53), ("TCP".into(), 53), ("TCP".into(), 5432)]);

    let worker = named(&docs, "NetworkPolicy", "-worker");
    let egress = &worker["spec"]["egress"];
    let mut expected = dns_and_db.clone();
    expected.insert(("TCP".into(), 443));
    assert_eq!(ports(egress), expected);
    let public = egress.as_array().unwrap().iter().find(|r| r["ports"][0]["port"] == 443).unwrap();
    let block = &public["to"][0]["ipBlock"];
    assert_eq!(block["cidr"], "0.0.0.0/0");
    let except: BTreeSet<&str> = block["except"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    for private in ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"] {
        assert!(except.contains(private), "workers may reach {private}: {except:?}");
    }
    assert_eq!(ports(&worker["spec"]["ingress"]), BTreeSet::from([("TCP".into(), 9464)]), "workers are only scraped");
    assert_eq!(worker["spec"]["ingress"][0]["from"][0], values["networkPolicy"]["prometheus"]);

    let api = named(&docs, "NetworkPolicy", "-api");
    assert_eq!(ports(&api["spec"]["egress"]), dns_and_db, "the API does not leave the cluster");
    let ingress = api["spec"]["ingress"].as_array().unwrap();
    assert_eq!(ingress.len(), 2);
    assert_eq!((&ingress[0]["from"][0], &ingress[0]["ports"][0]["port"]), (&values["networkPolicy"]["ingressController"], &json!(8080)));
    assert_eq!((&ingress[1]["from"][0], &ingress[1]["ports"][0]["port"]), (&values["networkPolicy"]["prometheus"], &json!(9464)));

    let migrate = named(&docs, "NetworkPolicy", "-migrate");
    assert_eq!(ports(&migrate["spec"]["egress"]), dns_and_db);
    assert_eq!(migrate["spec"]["ingress"], json!([]));
}

/// The rendered manifests against the Kubernetes API's own schemas (strictly: an unknown
/// field fails) for the oldest and the newest version the chart supports, and checkov's
/// Kubernetes checks, every skip justified in the manifest itself.
#[test]
fn the_rendered_chart_passes_the_kubernetes_schemas_and_checkov() {
    let docs = default_manifests();
    // Not a hidden directory (tempfile's default ".tmp..."): checkov skips those.
    let dir = tempfile::Builder::new().prefix("rendered-chart").tempdir().unwrap();
    let variants = [
        ("default.yaml", render(&json!({}))),
        ("ingress.yaml", render(&json!({"ingress": {"enabled": true}, "worker": {"autoscaling": {"enabled": false}}}))),
    ];
    for (name, text) in &variants {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let kube_version = yaml_file(&format!("{CHART}/Chart.yaml"))["kubeVersion"].as_str().unwrap().to_string();
    assert_eq!(kube_version, ">=1.25.0-0");
    for version in ["1.25.0", "1.37.0"] {
        let mut validate = tool("kubernetes-validate");
        validate.args(["--strict", "--quiet", "--kubernetes-version", version]).args(variants.iter().map(|(n, _)| dir.path().join(n)));
        passes(validate, &format!("kubernetes-validate {version}"));
    }
    let mut checkov = tool("checkov");
    checkov.arg("--directory").arg(dir.path()).args(["--framework", "kubernetes", "--compact", "--skip-download", "--output", "json"]);
    let text = passes(checkov, "checkov");
    let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("checkov's report: {e}\n{text}"));
    assert_eq!(report["summary"]["failed"], json!(0), "{}", report["results"]["failed_checks"]);
    assert!(report["summary"]["passed"].as_u64().unwrap() > 400, "{}", report["summary"]);
    // Each skip is one the chart's manifests declare, with its reason.
    let skipped = report["results"]["skipped_checks"].as_array().unwrap();
    assert_eq!(skipped.len(), 12, "two checks on each of the three workloads of both renderings");
    for skip in skipped {
        let (check, why) = (skip["check_id"].as_str().unwrap(), skip["check_result"]["suppress_comment"].as_str().unwrap_or_default());
        assert!(["CKV_K8S_35", "CKV_K8S_43"].contains(&check) && why.len() > 40, "an unjustified skip: {check} {why:?}");
    }
    let declared =
        docs.iter().filter_map(|d| d["metadata"]["annotations"].as_object()).flatten().filter(|(k, _)| k.starts_with("checkov.io/skip"));
    assert_eq!(declared.count(), 6);
}
