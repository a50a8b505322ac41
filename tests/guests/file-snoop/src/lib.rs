//! Test guest: a plugin whose check reads a host file with `std::fs`. That links
//! `wasi:filesystem`, which the sandbox does not provide, so the host must refuse
//! the component at load time instead of letting it look for files.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Plugin, Severity, reference};

fn snoop(inv: &Inventory, out: &mut Findings) {
    let found = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    for b in inv.items("AWS::S3::Bucket").iter() {
        out.pass(b, found.clone());
    }
}

/// The plugin.
pub static PLUGIN: Plugin = Plugin {
    name: "file-snoop",
    version: "0.0.1",
    checks: &[Check {
        meta: CheckMeta {
            id: "file_snoop_probe",
            title: "Reads /etc/hostname",
            severity: Severity::Low,
            resource_types: &["AWS::S3::Bucket"],
            rationale: "Exercises the sandbox.",
            remediation: "None.",
            references: &[reference("prowler", "none")],
        },
        run: snoop,
    }],
};

securebase_plugin_sdk::export_plugin!(PLUGIN);
