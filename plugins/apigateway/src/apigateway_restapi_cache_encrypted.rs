//! API Gateway REST API stages that cache responses encrypt the cache.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "apigateway_restapi_cache_encrypted",
        title: "API Gateway REST API stages that cache responses encrypt the cache data",
        severity: Severity::Medium,
        resource_types: &[crate::STAGE],
        rationale: "A stage cache holds copies of the API's responses, often personal data or tokens, on storage outside the backend's own controls; encrypting it keeps those copies as protected as the originals. Cache data is not encrypted by default. A stage that caches nothing does not apply, unlike AWS Config's rule, which also fails stages without caching; when the stage has a cache cluster but no stage-wide method settings, its GET methods cache unencrypted by default.",
        remediation: "aws apigateway update-stage --rest-api-id API_ID --stage-name STAGE --patch-operations 'op=replace,path=/*/*/caching/dataEncrypted,value=true' (and the same with the method's path, e.g. /~1orders/GET/caching/dataEncrypted, for each method override that caches).",
        references: &[
            reference("aws-config-rule", "API_GW_CACHE_ENABLED_AND_ENCRYPTED"),
            reference("prowler", "apigateway_restapi_cache_encrypted"),
        ],
    },
    run,
};

/// What the stage-wide default is called in findings when only the defaults cache.
const DEFAULT_GETS: &str = "*/* (GET methods, by default)";

fn run(inv: &Inventory, out: &mut Findings) {
    for stage in inv.items(crate::STAGE).iter() {
        let name = stage.name();
        // (methodSettings key, whether its cache data is encrypted) for every method that caches.
        let mut caching: Vec<(&str, bool)> = crate::method_settings(stage)
            .filter(|(_, settings)| crate::setting_bool(settings, "cachingEnabled") == Some(true))
            .map(|(key, settings)| (key, crate::setting_bool(settings, "cacheDataEncrypted") == Some(true)))
            .collect();
        // A cache cluster without stage-wide settings caches GET methods, unencrypted (both defaults).
        if stage.config_bool("/cacheClusterEnabled") == Some(true) && crate::setting(stage, crate::ALL_METHODS).is_none() {
            caching.push((DEFAULT_GETS, false));
        }
        if caching.is_empty() {
            out.not_applicable(stage, format!("Stage {name} does not cache responses."));
            continue;
        }
        let unencrypted: Vec<&str> = caching.iter().filter(|(_, encrypted)| !encrypted).map(|(key, _)| *key).collect();
        let cached: Vec<&str> = caching.iter().map(|(key, _)| *key).collect();
        out.verdict(
            stage,
            unencrypted.is_empty(),
            format!("Stage {name} encrypts the responses it caches ({}).", cached.join(", ")),
            format!("Stage {name} caches responses without encrypting them for {}.", unencrypted.join(", ")),
        );
    }
}
