//! The contract check a component must pass before it is linked: it exports our
//! `control` interface at a major version we speak, and imports nothing but what the
//! sandbox provides. Doing this ourselves, before wasmtime's linker, turns "unknown
//! import" into a message that tells a plugin author what is wrong and why.

use crate::LoadError;
use wasmtime::Engine;
use wasmtime::component::Component;

/// The WIT package the host implements.
pub const CONTRACT_PACKAGE: &str = "securebase:control";
/// Its version.
pub const CONTRACT_VERSION: &str = "1.1.0";

/// Import namespaces the sandbox links (see `sandbox`). Anything else is refused.
const PROVIDED: &[&str] = &[
    "securebase:control/",
    "wasi:io/",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-",
    "wasi:clocks/wall-clock",
    "wasi:clocks/monotonic-clock",
    "wasi:random/",
];

/// Whether the sandbox links the import `name` (a refused one is named at load time).
pub fn is_provided(name: &str) -> bool {
    PROVIDED.iter().any(|p| name.starts_with(p))
}

fn major(version: &str) -> Option<u64> {
    version.split('.').next()?.parse().ok()
}

fn minor(version: &str) -> Option<u64> {
    version.split('.').nth(1)?.parse().ok()
}

/// Whether a host speaking `ours` runs a component built against `theirs`: the same
/// major version, and no later minor one (a 1.2 plugin may call what a 1.1 host lacks;
/// refusing it here names the versions instead of failing at link time).
fn compatible(ours: &str, theirs: &str) -> bool {
    major(theirs) == major(ours) && minor(theirs).unwrap_or(0) <= minor(ours).unwrap_or(0)
}

fn version_of(name: &str) -> Option<&str> {
    name.rsplit_once('@').map(|(_, v)| v)
}

/// Checks the component; the contract it exports (e.g. `securebase:control@1.0.0`) if it passes.
pub(crate) fn check(engine: &Engine, component: &Component, plugin: &str) -> Result<String, LoadError> {
    let ty = component.component_type();
    let supported = format!("{CONTRACT_PACKAGE}@{CONTRACT_VERSION}");
    let incompatible = |name: &str| {
        let found = version_of(name).filter(|v| !compatible(CONTRACT_VERSION, v))?;
        Some(LoadError::IncompatibleVersion {
            plugin: plugin.to_string(),
            found: format!("{CONTRACT_PACKAGE}@{found}"),
            supported: supported.clone(),
        })
    };

    let exports: Vec<String> = ty.exports(engine).map(|(name, _)| name.to_string()).collect();
    let control = format!("{CONTRACT_PACKAGE}/control");
    let Some(export) = exports.iter().find(|n| n.split('@').next() == Some(control.as_str())) else {
        return Err(LoadError::NotAPlugin {
            plugin: plugin.to_string(),
            expected: format!("{control}@{CONTRACT_VERSION}"),
            exports: if exports.is_empty() { "nothing".into() } else { exports.join(", ") },
        });
    };
    if let Some(err) = incompatible(export) {
        return Err(err);
    }

    // Every refused import is named, so an author fixes them all in one round.
    let mut forbidden = Vec::new();
    for (name, _) in ty.imports(engine) {
        if name.starts_with(&format!("{CONTRACT_PACKAGE}/"))
            && let Some(err) = incompatible(name)
        {
            return Err(err);
        }
        if !is_provided(name) {
            forbidden.push(name.to_string());
        }
    }
    if forbidden.is_empty() {
        let version = version_of(export).unwrap_or(CONTRACT_VERSION);
        return Ok(format!("{CONTRACT_PACKAGE}@{version}"));
    }
    Err(LoadError::ForbiddenImport { plugin: plugin.to_string(), import: forbidden.join("`, `") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(version_of("securebase:control/control@2.1.0"), Some("2.1.0"));
        assert_eq!(major("2.1.0"), Some(2));
        assert_eq!(major("x"), None);
    }

    #[test]
    fn earlier_minor_versions_are_compatible_later_ones_and_other_majors_are_not() {
        assert!(compatible("1.1.0", "1.0.0") && compatible("1.1.0", "1.1.0") && compatible("1.1.0", "1.1.7"));
        assert!(!compatible("1.1.0", "1.2.0") && !compatible("1.1.0", "2.0.0") && !compatible("1.1.0", "0.9.0"));
    }

    #[test]
    fn a_component_of_a_later_minor_version_is_refused_naming_both() {
        let engine = Engine::default();
        let component = |version: &str| {
            let text = format!(
                r#"(component
                    (import "securebase:control/inventory@{version}" (instance))
                    (instance $e)
                    (export "securebase:control/control@{version}" (instance $e)))"#
            );
            Component::new(&engine, wat::parse_str(text).unwrap()).unwrap()
        };
        let err = check(&engine, &component("1.2.0"), "later.wasm").unwrap_err().to_string();
        assert!(
            err.contains("securebase:control@1.2.0") && err.contains(&format!("speaks securebase:control@{CONTRACT_VERSION}")),
            "{err}"
        );
        assert_eq!(check(&engine, &component("1.0.0"), "earlier.wasm").unwrap(), "securebase:control@1.0.0");
    }

    #[test]
    fn filesystem_and_sockets_are_not_provided() {
        for name in
            ["wasi:filesystem/preopens@0.2.6", "wasi:filesystem/types@0.2.0", "wasi:sockets/tcp@0.2.6", "wasi:http/outgoing-handler@0.2.0"]
        {
            assert!(!PROVIDED.iter().any(|p| name.starts_with(p)), "{name}");
        }
        assert!(PROVIDED.iter().any(|p| "wasi:cli/stderr@0.2.6".starts_with(p)));
    }
}
