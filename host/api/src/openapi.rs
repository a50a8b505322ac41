//! The OpenAPI 3.1 document, generated from [`crate::routes::ROUTES`] and the schemas in
//! `schemas.json` (the shapes of bodies, kept as data beside the crate).
//!
//! The answers every route of a kind gives are added here, from the route's access,
//! path, parameters and body, so the document lists every status the service can
//! answer. The API tests validate every response they receive against this document
//! (see `host/api/tests`), and `tests/run` runs schemathesis against it, so neither the
//! schemas nor the statuses can drift from the code.

use crate::routes::{Access, Answer, Body, In, PATH_PARAMS, ROUTES, Route, Window};
use securebase_scan::Scanner;
use securebase_store::KeyScope;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

/// The schemas of bodies, by name.
const SCHEMAS: &str = include_str!("../schemas.json");

/// The document, built once, without the service's catalogue: framework and check ids
/// are any string here (what answers are checked against).
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(build)
}

/// The document a service with `scanner` serves: the built-in framework and check ids
/// it knows as examples (tenants add their own, so they are not the only ones taken).
pub fn for_catalogue(scanner: &Scanner) -> Value {
    let mut doc = document().clone();
    let schemas = &mut doc["components"]["schemas"];
    schemas["FrameworkId"]["examples"] = scanner.frameworks().iter().map(|f| json!(f.id)).collect();
    let checks: std::collections::BTreeSet<&str> =
        scanner.plugins().iter().flat_map(|p| p.info().checks.iter().map(|c| c.id.as_str())).collect();
    schemas["CheckId"]["examples"] = checks.into_iter().map(|c| json!(c)).collect();
    doc
}

fn parse(what: &str, json: &str) -> Value {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {json}"))
}

fn schema_of(body: &str) -> Value {
    if body.starts_with('{') { parse("inline schema", body) } else { json!({ "$ref": format!("#/components/schemas/{body}") }) }
}

fn content(body: &Body) -> Option<Value> {
    match body {
        Body::Empty => None,
        Body::Json(s) => Some(json!({ "application/json": { "schema": schema_of(s) } })),
        Body::Media(media, schema) => Some(json!({ *media: { "schema": parse(media, schema) } })),
    }
}

/// The answers of a route: its own, then those of its kind that it does not name.
pub fn answers(route: &Route) -> Vec<Answer> {
    let mut all: Vec<Answer> = route.answers.to_vec();
    let mut add = |status: u16, description: &'static str| {
        if !all.iter().any(|a| a.status == status) {
            all.push(Answer { status, description, body: Body::Json("Error") });
        }
    };
    if route.upload.is_some() {
        add(400, "The body is empty");
        add(413, "The body is larger than the service accepts");
        add(415, "The body is not sent with the route's media type");
    }
    if route.request.is_some() {
        add(400, "The body is missing or not JSON");
        add(413, "The body is larger than the service accepts");
        add(422, "The body does not have the expected fields or values");
    }
    if route.params.iter().any(|p| p.location == In::Query) {
        add(400, "A query parameter is unknown or has a value the route does not take");
    }
    let patterned = |name: &str| PATH_PARAMS.iter().any(|(n, _, schema)| *n == name && schema.contains("\"pattern\""));
    if route.path_params().any(patterned) {
        add(400, "A path parameter is not in its form");
    }
    if route.access != Access::Public {
        add(401, "Missing, unknown or revoked API key");
        add(429, "Rate limit exceeded; see Retry-After");
        add(500, "The service could not complete the request, or could not record it in the audit log (then nothing was changed)");
    }
    if route.access == Access::Admin {
        add(403, "Not an admin key");
    }
    if route.access == Access::Tenant && route.scope > KeyScope::Read {
        add(403, "The key's scope does not allow this route (insufficient_scope)");
    }
    if route.access != Access::Public && route.window == Window::Refused && route.scope == KeyScope::Read {
        add(403, "The key is limited to an audit window, and this route is not part of an auditor's view (outside_audit_window)");
    }
    if route.path.contains('{') {
        add(404, "No such tenant (or not yours: the same answer either way), or no such item of it");
    }
    all
}

fn operation(route: &Route) -> Value {
    let mut params: Vec<Value> = route
        .path_params()
        .map(|name| {
            let (_, description, schema) = PATH_PARAMS
                .iter()
                .find(|(n, ..)| *n == name)
                .unwrap_or_else(|| panic!("{}: undocumented path parameter {name}", route.path));
            json!({ "name": name, "in": "path", "required": true, "description": description, "schema": parse(name, schema) })
        })
        .collect();
    params.extend(route.params.iter().map(|p| {
        json!({
            "name": p.name,
            "in": match p.location { In::Query => "query", In::Header => "header" },
            "required": p.required,
            "description": p.description,
            "schema": parse(p.name, p.schema),
        })
    }));
    let mut responses = Map::new();
    for a in answers(route) {
        let mut r = json!({ "description": a.description });
        if let Some(c) = content(&a.body) {
            r["content"] = c;
        }
        if a.status == 429 {
            r["headers"] = json!({ "Retry-After": { "description": "Seconds to wait", "schema": { "type": "integer" } } });
        }
        responses.insert(a.status.to_string(), r);
    }
    let mut op = json!({
        "operationId": operation_id(route),
        "summary": route.summary,
        "tags": [route.tag],
        "parameters": params,
        "responses": responses,
    });
    if !route.description.is_empty() {
        op["description"] = json!(route.description);
    }
    if let Some(media) = route.upload {
        let schema = match media {
            crate::routes::WASM => json!({ "type": "string", "format": "binary" }),
            crate::routes::MULTIPART => json!({
                "type": "object",
                "required": ["attestation"],
                "properties": {
                    "attestation": { "type": "string", "description": "JSON: framework, requirement, statement, attested_by, valid_from (default today), valid_until (YYYY-MM-DD)" },
                    "evidence": { "type": "array", "items": { "type": "string", "format": "binary" } },
                },
            }),
            _ => json!({ "type": "string" }),
        };
        op["requestBody"] = json!({ "required": true, "content": { media: { "schema": schema } } });
    }
    if let Some(schema) = route.request {
        op["requestBody"] = json!({
            "required": !route.request_optional,
            "content": { "application/json": { "schema": schema_of(schema) } },
        });
    }
    if route.access == Access::Public {
        op["security"] = json!([]);
    }
    op
}

/// `get_v1_tenants_id_scans`: unique, derived from method and path.
fn operation_id(route: &Route) -> String {
    let path: String = route.path.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let path: Vec<&str> = path.split('_').filter(|s| !s.is_empty()).collect();
    format!("{}_{}", route.verb.as_str(), path.join("_"))
}

fn build() -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let entry = paths.entry(route.path).or_insert_with(|| json!({}));
        entry[route.verb.as_str()] = operation(route);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "SecureBase API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Multi-tenant compliance scanning. Authenticate with an API key: Authorization: Bearer <key>. \
                            Errors: {\"error\": {\"code\", \"message\"}}.",
        },
        "servers": [{ "url": "http://127.0.0.1:8080" }],
        "security": [{ "apiKey": [] }],
        "components": {
            "securitySchemes": { "apiKey": { "type": "http", "scheme": "bearer", "description": "sb_k_<id>_<secret>" } },
            "schemas": parse("schemas.json", SCHEMAS),
        },
        "paths": paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` in `v`.
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn the_document_has_every_route_and_every_reference_resolves() {
        let doc = document();
        let ops: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(ops, ROUTES.len());
        let mut all = vec![];
        refs(doc, &mut all);
        assert!(all.len() > 50, "{} references", all.len());
        for r in all {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("unexpected reference {r}"));
            assert!(doc["components"]["schemas"].get(name).is_some(), "{r} names no schema");
        }
        let mut ids: Vec<String> = ROUTES.iter().map(operation_id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ROUTES.len(), "operation ids are unique");
    }

    #[test]
    fn answers_of_a_kind_are_derived() {
        let find = |m: &str, p: &str| ROUTES.iter().find(|r| r.verb.as_str() == m && r.path == p).unwrap();
        let statuses = |r: &Route| answers(r).iter().map(|a| a.status).collect::<Vec<_>>();
        let create = statuses(find("post", "/v1/tenants"));
        for s in [201, 400, 401, 403, 413, 422, 429] {
            assert!(create.contains(&s), "{s} in {create:?}");
        }
        assert!(!create.contains(&404), "no path parameter, no 404: {create:?}");
        assert_eq!(statuses(find("get", "/healthz")), [200, 503]);
    }
}
