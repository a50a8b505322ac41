//! Test guest: a component built against a future major version of the contract
//! (`securebase:control@2.0.0`). The host must refuse it, naming both versions.

#[cfg(target_arch = "wasm32")]
// Generated canonical-ABI glue is unsafe by nature; the guest code itself is not.
#[allow(unsafe_code)]
mod component {
    wit_bindgen::generate!({
        inline: r#"
            package securebase:control@2.0.0;
            interface control {
                metadata: func() -> string;
            }
            world plugin {
                export control;
            }
        "#,
    });

    struct Future;

    impl exports::securebase::control::control::Guest for Future {
        fn metadata() -> String {
            "from the future".into()
        }
    }

    export!(Future);
}
