//! Plugin projects: `plugin new` writes one in Rust, Python or JavaScript, `plugin build`
//! builds its component into `dist/<name>.wasm`.
//!
//! Everything a project needs comes from this binary, so a project builds on a machine
//! with only `securebase` and the language's toolchain: the WIT contract (the host's
//! own), for Rust a copy of the plugin SDK and the two crates it uses, for Python and
//! JavaScript a small helper layer over the generated bindings.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The contract, as the host speaks it.
pub const WIT: &str = include_str!("../../../wit/control.wit");

/// The pinned toolchains the Python and JavaScript templates build with.
pub const COMPONENTIZE_PY: &str = "componentize-py==0.25.1";
/// See [`COMPONENTIZE_PY`].
pub const JCO: &str = "@bytecodealliance/jco@1.35.0";

/// The language of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// `cargo build --target wasm32-wasip2`, with the SDK.
    Rust,
    /// componentize-py.
    Python,
    /// jco componentize.
    JavaScript,
}

impl Language {
    /// The name in `securebase-plugin.toml` and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::JavaScript => "js",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Language::Rust, Language::Python, Language::JavaScript].into_iter().find(|l| l.as_str() == s)
    }
}

/// Why a project could not be made or built; each names the file or tool and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The name cannot be a plugin's.
    #[error("plugin name {0:?}: expected lower-case letters, digits and '-', starting with a letter, at most 48 characters")]
    Name(String),
    /// `new` would overwrite something.
    #[error("{0} exists and is not empty; choose another --dir")]
    NotEmpty(PathBuf),
    /// Not a project, or its `securebase-plugin.toml` is wrong.
    #[error("{path}: {message}")]
    Manifest {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A tool the build needs is not installed.
    #[error("`{tool}` is not installed (or not on PATH): {install}")]
    MissingTool {
        /// The command.
        tool: String,
        /// How to install it.
        install: String,
    },
    /// The toolchain ran and failed; its output went to the terminal.
    #[error("{command} failed ({status}); its messages are above")]
    Failed {
        /// What ran.
        command: String,
        /// Its exit status.
        status: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ProjectError + '_ {
    move |source| ProjectError::Io { path: path.to_path_buf(), source }
}

/// The files of the SDK copy a Rust project builds with, by their path in this
/// repository; `vendored_files_are_the_crates_files` keeps the list whole.
const VENDORED: &[(&str, &str)] = &[
    ("plugins/sdk/Cargo.toml", include_str!("../../../plugins/sdk/Cargo.toml")),
    ("plugins/sdk/src/lib.rs", include_str!("../../../plugins/sdk/src/lib.rs")),
    ("plugins/sdk/src/aws.rs", include_str!("../../../plugins/sdk/src/aws.rs")),
    ("plugins/sdk/src/guest.rs", include_str!("../../../plugins/sdk/src/guest.rs")),
    ("plugins/sdk/src/inventory.rs", include_str!("../../../plugins/sdk/src/inventory.rs")),
    ("plugins/sdk/src/model.rs", include_str!("../../../plugins/sdk/src/model.rs")),
    ("plugins/sdk/src/policy.rs", include_str!("../../../plugins/sdk/src/policy.rs")),
    ("plugins/sdk/src/testing.rs", include_str!("../../../plugins/sdk/src/testing.rs")),
    ("plugins/contract/Cargo.toml", include_str!("../../../plugins/contract/Cargo.toml")),
    ("plugins/contract/src/lib.rs", include_str!("../../../plugins/contract/src/lib.rs")),
    ("host/inventory/Cargo.toml", include_str!("../../inventory/Cargo.toml")),
    ("host/inventory/src/lib.rs", include_str!("../../inventory/src/lib.rs")),
    ("host/inventory/src/demo.rs", include_str!("../../inventory/src/demo.rs")),
    ("host/inventory/src/encoded.rs", include_str!("../../inventory/src/encoded.rs")),
    ("host/inventory/src/error.rs", include_str!("../../inventory/src/error.rs")),
    ("host/inventory/src/snapshot.rs", include_str!("../../inventory/src/snapshot.rs")),
    ("host/inventory/src/time.rs", include_str!("../../inventory/src/time.rs")),
    (
        "host/inventory/demo/acme-health/111111111111-production.json",
        include_str!("../../inventory/demo/acme-health/111111111111-production.json"),
    ),
    (
        "host/inventory/demo/acme-health/222222222222-staging.json",
        include_str!("../../inventory/demo/acme-health/222222222222-staging.json"),
    ),
    (
        "host/inventory/demo/acme-health/333333333333-security.json",
        include_str!("../../inventory/demo/acme-health/333333333333-security.json"),
    ),
];

/// The workspace manifest, for the versions the vendored manifests inherit.
const WORKSPACE: &str = include_str!("../../../Cargo.toml");

/// Where a vendored crate goes in a project: `vendor/<crate name>/...`.
fn vendored_path(repo_path: &str) -> String {
    let (krate, rest) = match repo_path.split_once('/').map(|(top, rest)| (top, rest.split_once('/').unwrap())) {
        Some(("plugins", ("sdk", rest))) => ("securebase-plugin-sdk", rest),
        Some(("plugins", ("contract", rest))) => ("securebase-contract", rest),
        Some(("host", ("inventory", rest))) => ("securebase-inventory", rest),
        _ => panic!("{repo_path} is not a vendored crate's file"),
    };
    format!("vendor/{krate}/{rest}")
}

/// A crate manifest with what it inherits from the workspace written out: versions of
/// dependencies, package fields, and sibling crates as paths within `vendor/`.
fn standalone_manifest(manifest: &str) -> String {
    let table = |name: &str| -> Vec<(String, String)> {
        let start = WORKSPACE.find(&format!("\n[{name}]\n")).expect("workspace table") + name.len() + 4;
        WORKSPACE[start..]
            .lines()
            .take_while(|l| !l.starts_with('['))
            .filter_map(|l| l.split_once(" = ").map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
            .collect()
    };
    let (package, deps) = (table("workspace.package"), table("workspace.dependencies"));
    let mut out = String::new();
    let mut skip_lints = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            skip_lints = line == "[lints]" || line == "[dev-dependencies]";
        }
        if skip_lints {
            continue;
        }
        let Some((key, rest)) = line.split_once(".workspace = true") else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        assert!(rest.is_empty(), "unexpected manifest line {line:?}");
        if let Some((_, v)) = package.iter().find(|(k, _)| k == key) {
            out.push_str(&format!("{key} = {v}\n"));
        } else if key.starts_with("securebase-") {
            out.push_str(&format!("{key} = {{ path = \"../{key}\" }}\n"));
        } else {
            let (_, v) = deps.iter().find(|(k, _)| k == key).unwrap_or_else(|| panic!("no workspace version of {key}"));
            out.push_str(&format!("{key} = {v}\n"));
        }
    }
    out
}

/// The fixtures every template starts with, for its one check over S3 buckets.
fn fixtures(check: &str) -> Vec<(String, String)> {
    let bucket = |name: &str, tags: serde_json::Value| {
        serde_json::json!({"resourceType": "AWS::S3::Bucket", "resourceId": name, "resourceName": name,
            "accountId": "123456789012", "awsRegion": "us-east-1", "configuration": {"name": name},
            "supplementaryConfiguration": {}, "tags": tags})
    };
    let doc = |description: &str, items: Vec<serde_json::Value>, expect: serde_json::Value| {
        let doc = serde_json::json!({"description": description, "schema": "securebase.inventory/v1",
            "accountId": "123456789012", "capturedAt": "2026-11-01T00:00:00Z",
            "configurationItems": items, "expect": expect});
        serde_json::to_string_pretty(&doc).expect("JSON") + "\n"
    };
    vec![
        (
            format!("fixtures/{check}/pass.json"),
            doc(
                "A bucket with an owner tag.",
                vec![bucket("billing-exports", serde_json::json!({"owner": "finance"}))],
                serde_json::json!({"billing-exports": "pass"}),
            ),
        ),
        (
            format!("fixtures/{check}/fail.json"),
            doc(
                "A bucket without one.",
                vec![bucket("scratch", serde_json::json!({"env": "dev"}))],
                serde_json::json!({"scratch": "fail"}),
            ),
        ),
        (format!("fixtures/{check}/not_applicable.json"), doc("No buckets: the check does not apply.", vec![], serde_json::json!({}))),
    ]
}

/// Whether `name` can be a plugin's (and a crate's, a package's).
pub fn valid_name(name: &str) -> bool {
    (1..=48).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
}

/// The files of a new project, by path relative to its folder.
pub fn files(name: &str, language: Language) -> Result<Vec<(String, String)>, ProjectError> {
    if !valid_name(name) {
        return Err(ProjectError::Name(name.to_string()));
    }
    // The check id carries the plugin's name, so two new plugins of one tenant never collide.
    let check = format!("{}_s3_bucket_owner_tag", name.replace('-', "_"));
    let fill = |t: &str| t.replace("{{name}}", name).replace("{{check}}", &check);
    let (label, build, layout, mut files): (&str, String, &str, Vec<(String, String)>) = match language {
        Language::Rust => (
            "Rust",
            "cargo build --target wasm32-wasip2 --release, then copies the component to dist/".into(),
            "- `src/lib.rs`: the checks, with the SDK (`vendor/securebase-plugin-sdk`, the host's own copy).",
            vec![
                ("Cargo.toml".into(), fill(include_str!("../templates/rust/Cargo.toml"))),
                ("src/lib.rs".into(), fill(include_str!("../templates/rust/lib.rs"))),
                (".gitignore".into(), include_str!("../templates/rust/gitignore").into()),
            ],
        ),
        Language::Python => (
            "Python",
            format!("componentize-py (pip install {COMPONENTIZE_PY}) ... componentize --stub-wasi app"),
            "- `app.py`: the checks and the exported `Control` class.\n- `securebase_plugin.py`: helpers over the generated bindings (items with parsed configuration, a findings builder).",
            vec![
                ("app.py".into(), fill(include_str!("../templates/python/app.py"))),
                (".gitignore".into(), include_str!("../templates/python/gitignore").into()),
            ],
        ),
        Language::JavaScript => (
            "JavaScript",
            "npm install (once), esbuild bundles app.js, jco componentize -d all (no WASI imports)".into(),
            "- `app.js`: the checks and the exported `control`.\n- `securebase.js`: helpers over the contract's imports (items with parsed configuration, a findings builder).\n- `package.json`: jco and esbuild, pinned.",
            vec![
                ("app.js".into(), fill(include_str!("../templates/js/app.js"))),
                (".gitignore".into(), include_str!("../templates/js/gitignore").into()),
            ],
        ),
    };
    files.extend(kit_files(name, language));
    let readme = fill(include_str!("../templates/README.md"))
        .replace("{{version}}", contract_version())
        .replace("{{language}}", label)
        .replace("{{build}}", &build)
        .replace("{{layout}}", layout);
    files.push(("README.md".into(), readme));
    files.push((
        "securebase-plugin.toml".into(),
        format!("# Read by `securebase plugin build`.\nname = \"{name}\"\nlanguage = \"{}\"\n", language.as_str()),
    ));
    files.extend(fixtures(&check));
    Ok(files)
}

/// The contract's version, as `wit/control.wit` declares it (`1.1.0`): the templates
/// that name it take it from there, so they cannot fall behind the WIT they ship with.
pub fn contract_version() -> &'static str {
    WIT.lines()
        .find_map(|l| l.trim().strip_prefix("package securebase:control@")?.strip_suffix(';'))
        .expect("wit/control.wit declares its package with a version")
}

/// The files a project gets from the kit rather than from its author: the contract,
/// the helper layer (or the SDK copy) and the pinned toolchain. `build` writes those
/// missing, so a project that keeps them out of version control still builds.
pub fn kit_files(name: &str, language: Language) -> Vec<(String, String)> {
    let mut files = vec![("wit/control.wit".to_string(), WIT.to_string())];
    match language {
        Language::Rust => {
            for (path, text) in VENDORED {
                let text = if path.ends_with("Cargo.toml") { standalone_manifest(text) } else { text.to_string() };
                files.push((vendored_path(path), text));
            }
        }
        Language::Python => {
            files.push(("securebase_plugin.py".into(), include_str!("../templates/python/securebase_plugin.py").into()));
        }
        Language::JavaScript => {
            files.push(("securebase.js".into(), include_str!("../templates/js/securebase.js").replace("{{version}}", contract_version())));
            files.push(("package.json".into(), include_str!("../templates/js/package.json").replace("{{name}}", name)));
        }
    }
    files
}

/// Writes a new project into `dir` (which must not exist or be empty).
pub fn create(dir: &Path, name: &str, language: Language) -> Result<Vec<String>, ProjectError> {
    let files = files(name, language)?;
    if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(ProjectError::NotEmpty(dir.to_path_buf()));
    }
    for (path, text) in &files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().expect("a file in a folder")).map_err(io(&full))?;
        std::fs::write(&full, text).map_err(io(&full))?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// A project as `securebase-plugin.toml` describes it.
#[derive(Debug, Clone)]
pub struct Project {
    /// Its folder.
    pub dir: PathBuf,
    /// The plugin's name.
    pub name: String,
    /// Its language.
    pub language: Language,
}

impl Project {
    /// Reads `dir/securebase-plugin.toml`.
    pub fn open(dir: &Path) -> Result<Self, ProjectError> {
        let path = dir.join("securebase-plugin.toml");
        let manifest = |message: String| ProjectError::Manifest { path: path.clone(), message };
        let text =
            std::fs::read_to_string(&path).map_err(|e| manifest(format!("{e}: not a plugin project (securebase plugin new makes one)")))?;
        let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| manifest(e.message().to_string()))?;
        let field = |key: &str| doc.get(key).and_then(|v| v.as_str()).ok_or_else(|| manifest(format!("field `{key}`: expected a string")));
        let name = field("name")?.to_string();
        if !valid_name(&name) {
            return Err(manifest(format!("field `name`: {:?} is not a plugin name", name)));
        }
        let language = field("language")?;
        let language = Language::parse(language)
            .ok_or_else(|| manifest(format!("field `language`: expected rust, python or js, found {language:?}")))?;
        // Absolute, since the toolchains run inside the project and write to `dist/`.
        let dir = std::path::absolute(dir).map_err(io(dir))?;
        Ok(Self { dir, name, language })
    }

    /// Where `build` writes the component.
    pub fn component(&self) -> PathBuf {
        self.dir.join("dist").join(format!("{}.wasm", self.name))
    }

    /// Builds the component into [`Project::component`]; the toolchain's output goes
    /// to the terminal as it runs.
    pub fn build(&self) -> Result<PathBuf, ProjectError> {
        for (path, text) in kit_files(&self.name, self.language) {
            let full = self.dir.join(&path);
            if !full.exists() {
                std::fs::create_dir_all(full.parent().expect("a file in a folder")).map_err(io(&full))?;
                std::fs::write(&full, text).map_err(io(&full))?;
            }
        }
        let out = self.component();
        std::fs::create_dir_all(out.parent().expect("dist")).map_err(io(&out))?;
        match self.language {
            Language::Rust => self.build_rust(&out)?,
            Language::Python => {
                let mut command = Command::new("componentize-py");
                command.args(["-d", "wit", "-w", "plugin", "componentize", "--stub-wasi", "app", "-o"]).arg(&out);
                run(&mut command, &self.dir, &format!("install it: pip install {COMPONENTIZE_PY}"))?;
            }
            Language::JavaScript => {
                let jco = self.dir.join("node_modules/.bin/jco");
                if !jco.exists() || !self.dir.join("node_modules/.bin/esbuild").exists() {
                    eprintln!("installing jco into node_modules (npm install, once)...");
                    let mut npm = Command::new("npm");
                    npm.args(["install", "--no-audit", "--no-fund"]);
                    run(&mut npm, &self.dir, "install Node.js 20 or later with npm (https://nodejs.org)")?;
                }
                // jco's engine reads one file: app.js and what it imports, bundled first.
                let reinstall = format!("run npm install in {} (it installs {JCO} and esbuild)", self.dir.display());
                let mut bundle = Command::new(self.dir.join("node_modules/.bin/esbuild"));
                bundle.args([
                    "app.js",
                    "--bundle",
                    "--format=esm",
                    "--external:securebase:*",
                    "--log-level=warning",
                    "--outfile=dist/bundle.js",
                ]);
                run(&mut bundle, &self.dir, &reinstall)?;
                let mut command = Command::new(&jco);
                command.args(["componentize", "dist/bundle.js", "--wit", "wit", "--world-name", "plugin", "-d", "all", "-o"]).arg(&out);
                run(&mut command, &self.dir, &reinstall)?;
            }
        }
        Ok(out)
    }

    fn build_rust(&self, out: &Path) -> Result<(), ProjectError> {
        let mut command = Command::new("cargo");
        command.args(["build", "--target", "wasm32-wasip2", "--release", "--message-format", "json-render-diagnostics"]);
        command.stdout(std::process::Stdio::piped());
        let install = "install Rust (https://rustup.rs), then: rustup target add wasm32-wasip2";
        let output =
            command.current_dir(&self.dir).spawn().map_err(|e| missing("cargo", install, e))?.wait_with_output().map_err(io(&self.dir))?;
        if !output.status.success() {
            return Err(ProjectError::Failed {
                command: "cargo build --target wasm32-wasip2 --release".into(),
                status: output.status.to_string(),
            });
        }
        // The artefact is wherever the user's CARGO_TARGET_DIR puts it: cargo says where.
        let crate_name = self.name.replace('-', "_");
        let built = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == crate_name.as_str())
            .flat_map(|m| m["filenames"].as_array().cloned().unwrap_or_default())
            .filter_map(|f| f.as_str().map(PathBuf::from))
            .find(|f| f.extension().is_some_and(|x| x == "wasm"))
            .ok_or_else(|| ProjectError::Failed {
                command: "cargo build".into(),
                status: format!("no {crate_name}.wasm among its artefacts"),
            })?;
        std::fs::copy(&built, out).map_err(io(out))?;
        Ok(())
    }
}

fn missing(tool: &str, install: &str, e: std::io::Error) -> ProjectError {
    if e.kind() == std::io::ErrorKind::NotFound {
        ProjectError::MissingTool { tool: tool.to_string(), install: install.to_string() }
    } else {
        ProjectError::Io { path: PathBuf::from(tool), source: e }
    }
}

fn run(command: &mut Command, dir: &Path, install: &str) -> Result<(), ProjectError> {
    let tool = command.get_program().to_string_lossy().into_owned();
    let shown = format!("{tool} {}", command.get_args().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" "));
    eprintln!("$ {shown}");
    // The toolchain's chatter goes with our progress, to stderr; stdout keeps the result.
    let status =
        command.current_dir(dir).stdout(std::process::Stdio::from(std::io::stderr())).status().map_err(|e| missing(&tool, install, e))?;
    if status.success() { Ok(()) } else { Err(ProjectError::Failed { command: shown, status: status.to_string() }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_files_are_the_crates_files() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut on_disk = Vec::new();
        for dir in ["plugins/sdk/src", "plugins/contract/src", "host/inventory/src", "host/inventory/demo/acme-health"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
                on_disk.push(format!("{dir}/{}", e.file_name().to_string_lossy()));
            }
        }
        on_disk.extend(["plugins/sdk/Cargo.toml", "plugins/contract/Cargo.toml", "host/inventory/Cargo.toml"].map(String::from));
        on_disk.sort();
        let mut listed: Vec<String> = VENDORED.iter().map(|(p, _)| p.to_string()).collect();
        listed.sort();
        assert_eq!(listed.len(), 20);
        assert_eq!(listed, on_disk, "a file added to the SDK or the crates it uses must be added to VENDORED");
    }

    #[test]
    fn the_templates_name_the_contract_version_the_host_speaks() {
        assert_eq!(contract_version(), securebase_runtime::CONTRACT_VERSION);
        for language in [Language::Rust, Language::Python, Language::JavaScript] {
            let files = files("acme-policy", language).unwrap();
            assert!(files.len() > 3, "{files:?}");
            for (path, text) in &files {
                assert!(!text.contains("{{"), "{path}: a placeholder left unfilled");
            }
            let readme = &files.iter().find(|(p, _)| p == "README.md").unwrap().1;
            assert!(readme.contains(&format!("securebase:control@{}", contract_version())), "{readme}");
        }
        let js = files("acme-policy", Language::JavaScript).unwrap();
        let helpers = &js.iter().find(|(p, _)| p == "securebase.js").unwrap().1;
        assert!(helpers.contains(&format!("securebase:control/inventory@{}'", contract_version())), "{helpers}");
    }

    #[test]
    fn a_vendored_manifest_stands_alone() {
        let sdk = standalone_manifest(VENDORED[0].1);
        assert!(!sdk.contains("workspace"), "{sdk}");
        assert!(sdk.contains("version = \"0.1.0\"") && sdk.contains("edition = \"2024\""), "{sdk}");
        assert!(sdk.contains("securebase-inventory = { path = \"../securebase-inventory\" }"), "{sdk}");
        assert!(sdk.contains("wit-bindgen = \"0.61\""), "{sdk}");
        let inventory = standalone_manifest(include_str!("../../inventory/Cargo.toml"));
        assert!(!inventory.contains("tempfile") && !inventory.contains("[lints]"), "dev-dependencies and lints stay behind: {inventory}");
    }

    #[test]
    fn names_and_manifests_are_checked() {
        for bad in ["", "Acme", "1st", "acme_policy", "acme-", &"a".repeat(49)] {
            assert!(matches!(files(bad, Language::Python), Err(ProjectError::Name(_))), "{bad:?}");
        }
        let dir = tempfile::tempdir().unwrap();
        let written = create(dir.path(), "acme-policy", Language::Python).unwrap();
        assert!(written.contains(&"fixtures/acme_policy_s3_bucket_owner_tag/fail.json".to_string()), "{written:?}");
        let project = Project::open(dir.path()).unwrap();
        assert_eq!((project.name.as_str(), project.language), ("acme-policy", Language::Python));
        assert!(matches!(create(dir.path(), "acme-policy", Language::Python), Err(ProjectError::NotEmpty(_))));
        std::fs::write(dir.path().join("securebase-plugin.toml"), "name = \"acme-policy\"\nlanguage = \"cobol\"\n").unwrap();
        let e = Project::open(dir.path()).unwrap_err();
        assert!(e.to_string().contains("field `language`: expected rust, python or js, found \"cobol\""), "{e}");
        let e = Project::open(&dir.path().join("nowhere")).unwrap_err();
        assert!(e.to_string().contains("not a plugin project"), "{e}");
    }
}
