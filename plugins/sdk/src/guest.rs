//! The component side: WIT bindings and the glue between them and [`crate::Plugin`].
//! Compiled only for `wasm32`; plugin crates reach it through [`crate::export_plugin!`].

/// Bindings for the `securebase:control` world, generated from `wit/` at the repository root.
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "export_component",
        default_bindings_module: "securebase_plugin_sdk::guest::bindings",
    });
}

use crate::{Inventory, Plugin, Severity, Source, Status};
use bindings::exports::securebase::control::control as wit;
use bindings::securebase::control::{inventory as host, types};

struct HostSource;

impl Source for HostSource {
    fn account_id(&self) -> String {
        host::account_id()
    }

    fn captured_at(&self) -> String {
        host::captured_at()
    }

    fn encoded_items(&self, resource_type: &str) -> Vec<u8> {
        host::encoded_items(resource_type)
    }
}

fn severity(s: Severity) -> types::Severity {
    match s {
        Severity::Info => types::Severity::Info,
        Severity::Low => types::Severity::Low,
        Severity::Medium => types::Severity::Medium,
        Severity::High => types::Severity::High,
        Severity::Critical => types::Severity::Critical,
    }
}

fn status(s: Status) -> types::Status {
    match s {
        Status::Pass => types::Status::Pass,
        Status::Fail => types::Status::Fail,
        Status::NotApplicable => types::Status::NotApplicable,
        Status::Error => types::Status::Error,
    }
}

/// The WIT rendering of a plugin's metadata.
pub fn metadata(plugin: &Plugin) -> wit::PluginMetadata {
    wit::PluginMetadata {
        name: plugin.name.into(),
        version: plugin.version.into(),
        checks: plugin
            .checks
            .iter()
            .map(|c| types::CheckMetadata {
                id: c.meta.id.into(),
                title: c.meta.title.into(),
                severity: severity(c.meta.severity),
                resource_types: c.meta.resource_types.iter().map(|t| t.to_string()).collect(),
                rationale: c.meta.rationale.into(),
                remediation: c.meta.remediation.into(),
                references: c.meta.references.iter().map(|r| types::Reference { kind: r.kind.into(), value: r.value.into() }).collect(),
            })
            .collect(),
    }
}

/// Runs the plugin against the host's inventory.
pub fn evaluate(plugin: &Plugin) -> Result<Vec<wit::Finding>, String> {
    let inventory = Inventory::new(HostSource);
    Ok(plugin
        .evaluate(&inventory)
        .into_iter()
        .map(|f| wit::Finding {
            check_id: f.check_id,
            resource_type: f.resource_type,
            resource_id: f.resource_id,
            status: status(f.status),
            message: f.message,
        })
        .collect())
}
