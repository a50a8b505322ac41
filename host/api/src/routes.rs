//! Every route of the API, declared once: method, path, handler, who may call it, the
//! audit action it records and what it documents (parameters, body, answers).
//!
//! Everything else is derived from [`ROUTES`]: the axum router ([`crate::router`]), the
//! access rule and audit action the middleware applies ([`crate::auth`]), and the
//! OpenAPI document ([`crate::openapi`]). A route cannot be served without being
//! documented, audited as declared and walked by the tests, because there is no other
//! list to forget it in.

use crate::{AppState, attestations, billing, continuous, exceptions, extensions, keys, meta, metrics, reports, scans, tenants};
use axum::routing::{MethodFilter, MethodRouter, on};
use securebase_store::KeyScope;

/// An HTTP method a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Verb {
    /// Lower case, as OpenAPI keys operations.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
        }
    }

    /// The method as the `http` crate names it.
    pub fn method(self) -> axum::http::Method {
        use axum::http::Method;
        match self {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Put => Method::PUT,
            Verb::Patch => Method::PATCH,
            Verb::Delete => Method::DELETE,
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Put => MethodFilter::PUT,
            Verb::Patch => MethodFilter::PATCH,
            Verb::Delete => MethodFilter::DELETE,
        }
    }
}

/// Who may call a route. The middleware enforces it before the handler runs; handlers
/// then narrow a tenant key to its own tenant (another tenant's id is a 404).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No key needed (health, the OpenAPI document).
    Public,
    /// Any valid key.
    AnyKey,
    /// The tenant's own key, or an admin key.
    Tenant,
    /// Admin keys only (a tenant key gets 403 on its own tenant, 404 on another).
    Admin,
}

/// What a key limited to an audit window (an auditor's `read` key) sees of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Nothing: 403 `outside_audit_window`. What the route shows is not bounded by a
    /// period (the audit log, usage, keys, settings), so the window cannot narrow it.
    Refused,
    /// All of it: configuration no period bounds (frameworks, plugins, signing keys).
    Whole,
    /// What falls within the window: a scan named in the path that started outside it
    /// is a 404 (the middleware checks it), lists and defaults keep the window's scans,
    /// exceptions and attestations (the handler narrows them).
    Narrowed,
}

/// Where a parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    /// `?name=value`
    Query,
    /// A request header.
    Header,
}

/// A query or header parameter (path parameters are documented in [`PATH_PARAMS`]).
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Its name.
    pub name: &'static str,
    /// Query or header.
    pub location: In,
    /// Whether a request without it is refused.
    pub required: bool,
    /// What it means, for a person.
    pub description: &'static str,
    /// Its JSON Schema, as JSON text.
    pub schema: &'static str,
}

/// What an answer carries.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    /// Nothing (204).
    Empty,
    /// JSON matching a schema of `schemas.json` (by name) or given inline (JSON text
    /// starting with `{`).
    Json(&'static str),
    /// Bytes of a media type, e.g. `application/pdf`, with the JSON Schema of the text.
    Media(&'static str, &'static str),
}

/// One documented answer of a route.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// When it is given.
    pub description: &'static str,
    /// What it carries.
    pub body: Body,
}

/// One route.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// Method.
    pub verb: Verb,
    /// Path as axum and OpenAPI both write it (`/v1/tenants/{id}`).
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// The scope a tenant key needs for it (admin keys may do everything): by default
    /// `read` for GET, `manage` for the rest; starting a scan needs `scan`.
    pub scope: KeyScope,
    /// What a key limited to an audit window sees of it (by default nothing).
    pub window: Window,
    /// The audit action recorded for it (`None`: not audited; every mutation is).
    pub audit: Option<&'static str>,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
    /// More, where one line is not enough.
    pub description: &'static str,
    /// OpenAPI tag.
    pub tag: &'static str,
    /// Query and header parameters.
    pub params: &'static [Param],
    /// The JSON request body's schema name, if it takes one.
    pub request: Option<&'static str>,
    /// Whether the body may be left out (an empty body means defaults).
    pub request_optional: bool,
    /// The media type of a raw (not JSON) request body: a component, a TOML file.
    pub upload: Option<&'static str>,
    /// Answers particular to this route; those every route of its kind gives (401,
    /// 403, 404, 429, 400 for a bad query, 413/422 for a bad body) are added from
    /// [`Access`], the path, the parameters and the body.
    pub answers: &'static [Answer],
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
}

impl Route {
    /// The axum method router of this route.
    pub(crate) fn method_router(&self) -> MethodRouter<AppState> {
        (self.handler)(self.verb.filter())
    }

    /// The status of its (first documented) success: what an audit entry written with
    /// the change itself records.
    pub fn success_status(&self) -> u16 {
        self.answers.iter().map(|a| a.status).find(|s| (200..300).contains(s)).unwrap_or(200)
    }

    /// The route's path parameters, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    }

    /// The value of the path parameter `name` in `path`, a concrete path of this route.
    pub fn path_param<'p>(&self, path: &'p str, name: &str) -> Option<&'p str> {
        let at = self.path.split('/').position(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) == Some(name))?;
        path.split('/').nth(at)
    }

    /// Whether `path` (a concrete request path) is this route's, and how literal the
    /// match is (more literal segments win, as in the router).
    pub fn matches(&self, path: &str) -> Option<usize> {
        template_matches(self.path, path)
    }
}

/// Whether the concrete `path` fits `template`, and with how many literal segments.
fn template_matches(template: &str, path: &str) -> Option<usize> {
    {
        let (a, b): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
        if a.len() != b.len() {
            return None;
        }
        let mut literal = 0;
        for (t, s) in a.iter().zip(&b) {
            if t.starts_with('{') {
                if s.is_empty() {
                    return None;
                }
            } else if t == s {
                literal += 1;
            } else {
                return None;
            }
        }
        Some(literal)
    }
}

/// Whether the concrete `path` fits `template`.
pub(crate) fn find_template(template: &str, path: &str) -> bool {
    template_matches(template, path).is_some()
}

/// The route a request names, if any: its method and concrete path.
pub fn find(method: &axum::http::Method, path: &str) -> Option<&'static Route> {
    ROUTES
        .iter()
        .filter(|r| r.verb.method() == method)
        .filter_map(|r| r.matches(path).map(|n| (n, r)))
        .max_by_key(|(n, _)| *n)
        .map(|(_, r)| r)
}

/// The route axum matched (its path template) for a method.
pub(crate) fn by_template(method: &axum::http::Method, template: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.path == template && r.verb.method() == method)
}

/// Path parameters: name, description, schema. Every `{name}` of a path is here.
pub const PATH_PARAMS: &[(&str, &str, &str)] = &[
    ("id", "Tenant id (t_...)", r#"{"type": "string", "minLength": 1}"#),
    ("scan", "Scan id (s_...)", r#"{"type": "string", "minLength": 1}"#),
    ("schedule", "Schedule id (sch_...)", r#"{"type": "string", "minLength": 1}"#),
    ("month", "YYYY-MM", r#"{"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}"#),
    ("key", "API key id (k_...)", r#"{"type": "string", "minLength": 1}"#),
    ("plugin", "Plugin name (from its metadata)", r#"{"type": "string", "minLength": 1}"#),
    ("framework", "Framework id (from its file)", r#"{"type": "string", "minLength": 1}"#),
    ("signing_key", "Signing key id (sk_...)", r#"{"type": "string", "minLength": 1}"#),
    ("exception", "Exception id (ex_..., or the id given at creation)", r#"{"type": "string", "minLength": 1}"#),
    ("attestation", "Attestation id (at_...)", r#"{"type": "string", "minLength": 1}"#),
    ("sha256", "SHA-256 of an evidence file, hex", r#"{"type": "string", "pattern": "^[0-9a-f]{64}$"}"#),
];

/// The media type of a plugin upload.
pub const WASM: &str = "application/wasm";
/// The media type of a framework upload.
pub const TOML: &str = "application/toml";
/// The media type of an attestation with its evidence files.
pub const MULTIPART: &str = "multipart/form-data";

const SIGNATURE: Param = Param {
    name: "X-SecureBase-Signature",
    location: In::Header,
    required: false,
    description: "Base64 Ed25519 signature of the component's bytes by one of the tenant's signing keys; required once the \
                  tenant has registered any (securebase plugin sign makes it)",
    schema: r#"{"type": "string"}"#,
};
const VERSION: Param = Param {
    name: "version",
    location: In::Query,
    required: false,
    description: "Only this version (default: every version)",
    schema: r#"{"type": "string", "minLength": 1}"#,
};

/// Largest `skip`: positions are stored as signed 64-bit integers.
pub const MAX_SKIP: u64 = i64::MAX as u64;

const SKIP: Param = Param {
    name: "skip",
    location: In::Query,
    required: false,
    description: "Items to skip (default 0)",
    schema: r#"{"type": "integer", "minimum": 0, "maximum": 9223372036854775807}"#,
};
const LIMIT: Param = Param {
    name: "limit",
    location: In::Query,
    required: false,
    description: "Items per page, 1 to 500 (default 50)",
    schema: r#"{"type": "integer", "minimum": 1, "maximum": 500}"#,
};
const FRAMEWORK: Param = Param {
    name: "framework",
    location: In::Query,
    required: false,
    description: "Framework id (default: the tenant's); GET /v1/frameworks lists them",
    schema: r##"{"$ref": "#/components/schemas/FrameworkId"}"##,
};
const SCAN: Param = Param {
    name: "scan",
    location: In::Query,
    required: false,
    description: "Scan id (default: the newest finished)",
    schema: r#"{"type": "string", "minLength": 1}"#,
};
const PAGE: &[Param] = &[SKIP, LIMIT];

const fn q(name: &'static str, description: &'static str, schema: &'static str) -> Param {
    Param { name, location: In::Query, required: false, description, schema }
}

const fn ok(status: u16, description: &'static str, body: Body) -> Answer {
    Answer { status, description, body }
}

const fn err(status: u16, description: &'static str) -> Answer {
    Answer { status, description, body: Body::Json("Error") }
}

const NOT_FINISHED: Answer = err(409, "The scan has not finished (yet): it has no report");

/// A route with the defaults most share; the table below sets what differs.
const fn route(verb: Verb, path: &'static str, handler: fn(MethodFilter) -> MethodRouter<AppState>) -> Route {
    Route {
        verb,
        path,
        access: Access::Tenant,
        scope: match verb {
            Verb::Get => KeyScope::Read,
            _ => KeyScope::Manage,
        },
        window: Window::Refused,
        audit: None,
        summary: "",
        description: "",
        tag: "",
        params: &[],
        request: None,
        request_optional: false,
        upload: None,
        answers: &[],
        handler,
    }
}

/// `handler!(path::to::fn)`: the function as a route's handler for its method.
macro_rules! handler {
    ($f:path) => {
        |m| on(m, $f)
    };
}

use Verb::{Delete, Get, Patch, Post, Put};

/// Every route of the service.
pub static ROUTES: &[Route] = &[
    Route {
        access: Access::Public,
        summary: "Liveness and database reachability",
        tag: "service",
        answers: &[ok(200, "Healthy", Body::Json("Health")), err(503, "Database unreachable")],
        window: Window::Whole,
        ..route(Get, "/healthz", handler!(meta::healthz))
    },
    Route {
        access: Access::Public,
        summary: "Ready to serve: the database answers (a readiness probe)",
        tag: "service",
        answers: &[ok(200, "Ready", Body::Json(r#"{"type": "object", "required": ["status"]}"#)), err(503, "Database unreachable")],
        window: Window::Whole,
        ..route(Get, "/readyz", handler!(metrics::readyz))
    },
    Route {
        access: Access::Public,
        summary: "Metrics in the Prometheus text format (404 when served on --metrics-listen instead)",
        tag: "service",
        answers: &[
            ok(200, "Prometheus text format 0.0.4", Body::Media("text/plain", r#"{"type": "string"}"#)),
            err(404, "Served on the --metrics-listen address"),
        ],
        window: Window::Whole,
        ..route(Get, "/metrics", handler!(metrics::metrics))
    },
    Route {
        access: Access::Public,
        summary: "This document (OpenAPI 3.1)",
        tag: "service",
        answers: &[ok(200, "OpenAPI 3.1", Body::Json(r#"{"type": "object", "required": ["openapi", "paths"]}"#))],
        window: Window::Whole,
        ..route(Get, "/v1/openapi.json", handler!(meta::openapi))
    },
    Route {
        access: Access::Public,
        summary: "The Ed25519 public key PDF reports are signed with (securebase report verify --public-key)",
        tag: "reports",
        answers: &[ok(200, "The public key, base64", Body::Json("SigningPublicKey")), err(404, "The service signs no reports")],
        window: Window::Whole,
        ..route(Get, "/v1/signing-key", handler!(meta::signing_key))
    },
    Route {
        access: Access::AnyKey,
        summary: "Frameworks the service scores",
        tag: "catalogue",
        answers: &[ok(200, "Frameworks", Body::Json("FrameworkList"))],
        window: Window::Whole,
        ..route(Get, "/v1/frameworks", handler!(meta::frameworks))
    },
    Route {
        access: Access::AnyKey,
        summary: "Control plugins and their checks",
        tag: "catalogue",
        answers: &[ok(200, "Plugins", Body::Json("PluginList"))],
        window: Window::Whole,
        ..route(Get, "/v1/plugins", handler!(meta::plugins))
    },
    Route {
        access: Access::Admin,
        audit: Some("tenant.create"),
        summary: "Create a tenant (admin); the answer carries its first tenant key, shown once",
        tag: "tenants",
        request: Some("NewTenant"),
        answers: &[ok(201, "Created", Body::Json("TenantCreated")), err(400, "A field is invalid")],
        ..route(Post, "/v1/tenants", handler!(tenants::create))
    },
    Route {
        access: Access::Admin,
        summary: "List live tenants (admin)",
        tag: "tenants",
        params: PAGE,
        answers: &[ok(200, "A page of tenants", Body::Json("TenantPage"))],
        ..route(Get, "/v1/tenants", handler!(tenants::list))
    },
    Route {
        summary: "A tenant with its compliance status",
        tag: "tenants",
        answers: &[ok(200, "Tenant", Body::Json("TenantWithStatus"))],
        ..route(Get, "/v1/tenants/{id}", handler!(tenants::show))
    },
    Route {
        access: Access::Admin,
        audit: Some("tenant.update"),
        summary: "Change a tenant (admin)",
        tag: "tenants",
        request: Some("TenantPatch"),
        answers: &[ok(200, "Tenant", Body::Json("TenantWithStatus")), err(400, "A field is invalid")],
        ..route(Patch, "/v1/tenants/{id}", handler!(tenants::update))
    },
    Route {
        access: Access::Admin,
        audit: Some("tenant.rotate_external_id"),
        summary: "Give a tenant a new AWS external ID (admin); its roles' trust policies must then name the new one",
        tag: "tenants",
        answers: &[ok(200, "Tenant", Body::Json("TenantWithStatus"))],
        ..route(Post, "/v1/tenants/{id}/aws-external-id", handler!(tenants::rotate_external_id))
    },
    Route {
        access: Access::Admin,
        audit: Some("tenant.delete"),
        summary: "Soft-delete a tenant (admin): keys revoked, records kept for audit",
        tag: "tenants",
        params: &[Param {
            name: "confirmation",
            location: In::Query,
            required: true,
            description: "Must be true",
            schema: r#"{"type": "boolean", "const": true}"#,
        }],
        answers: &[ok(200, "Deleted", Body::Json("TenantDeleted"))],
        ..route(Delete, "/v1/tenants/{id}", handler!(tenants::delete))
    },
    Route {
        audit: Some("key.create"),
        summary: "Mint a tenant key of a scope (manage, scan or read), optionally expiring; the token is shown once",
        tag: "keys",
        request: Some("NewKey"),
        request_optional: true,
        answers: &[ok(201, "Key", Body::Json("KeyCreated")), err(400, "A field is invalid")],
        ..route(Post, "/v1/tenants/{id}/keys", handler!(keys::create))
    },
    Route {
        scope: KeyScope::Manage,
        audit: Some("key.list"),
        summary: "A tenant's keys: scope, created, expires, last used, revoked (never their secrets)",
        tag: "keys",
        answers: &[ok(200, "Keys", Body::Json("KeyList"))],
        ..route(Get, "/v1/tenants/{id}/keys", handler!(keys::list))
    },
    Route {
        audit: Some("key.revoke"),
        summary: "Revoke one of a tenant's keys, at once",
        tag: "keys",
        answers: &[ok(200, "Revoked", Body::Json("KeyRevoked"))],
        ..route(Delete, "/v1/tenants/{id}/keys/{key}", handler!(keys::revoke))
    },
    Route {
        access: Access::Admin,
        audit: Some("admin_key.create"),
        summary: "Mint another admin key (admin); the token is shown once",
        tag: "keys",
        request: Some("NewAdminKey"),
        request_optional: true,
        answers: &[ok(201, "Key", Body::Json("KeyCreated")), err(400, "A field is invalid")],
        ..route(Post, "/v1/keys", handler!(keys::create_admin))
    },
    Route {
        access: Access::Admin,
        audit: Some("admin_key.list"),
        summary: "The admin keys (admin), never their secrets",
        tag: "keys",
        answers: &[ok(200, "Keys", Body::Json("KeyList"))],
        ..route(Get, "/v1/keys", handler!(keys::list_admin))
    },
    Route {
        access: Access::Admin,
        audit: Some("admin_key.revoke"),
        summary: "Revoke an admin key (admin); the last one cannot be",
        tag: "keys",
        answers: &[ok(200, "Revoked", Body::Json("KeyRevoked")), err(409, "It is the last admin key")],
        ..route(Delete, "/v1/keys/{key}", handler!(keys::revoke_admin))
    },
    Route {
        audit: Some("scan.create"),
        summary: "Start a scan of the demo organization, an uploaded snapshot or the tenant's accounts",
        tag: "scans",
        params: &[q("wait", "Answer when the scan has ended (at most 10 minutes)", r#"{"type": "boolean"}"#)],
        request: Some("NewScan"),
        scope: KeyScope::Scan,
        answers: &[
            ok(202, "Scan queued (or still running when wait=true gave up)", Body::Json("Scan")),
            ok(201, "Finished scan (wait=true)", Body::Json("Scan")),
            err(400, "Bad request"),
            err(409, "A scan of the tenant's accounts, and the tenant lists none"),
        ],
        ..route(Post, "/v1/tenants/{id}/scans", handler!(scans::create))
    },
    Route {
        summary: "A tenant's scans, newest first, with status and timings",
        tag: "scans",
        params: PAGE,
        answers: &[ok(200, "A page of scans", Body::Json("ScanPage"))],
        audit: Some("scan.list"),
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/scans", handler!(scans::list))
    },
    Route {
        summary: "One scan",
        tag: "scans",
        answers: &[ok(200, "Scan", Body::Json("Scan"))],
        audit: Some("scan.read"),
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/scans/{scan}", handler!(scans::show))
    },
    Route {
        summary: "What changed since the previous scan of the same scope, or since any other scan of it",
        description: "New and resolved failures, new and removed resources, score change per framework. A scope's first scan is its \
                      baseline (previous_scan null). With against, the comparison is with that scan instead (previous_scan names \
                      it), computed from both scans' stored findings.",
        tag: "scans",
        params: &[q("against", "another succeeded scan of the same scope to compare with", r#"{"type": "string", "minLength": 1}"#)],
        answers: &[
            ok(200, "Drift", Body::Json("Drift")),
            err(409, "The scan (or the one to compare with) has not succeeded, or the two cover different scopes"),
        ],
        audit: Some("drift.read"),
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/scans/{scan}/drift", handler!(continuous::drift))
    },
    Route {
        summary: "Live progress as Server-Sent Events",
        description: "Event types: queued, started (worker, attempt), accounts_collected, account_evaluated (accounts_done/total, \
                      plugins_evaluated, findings_so_far), finished, failed. Each event's data field is JSON {at, data}; its id \
                      resumes the stream as Last-Event-ID.",
        tag: "scans",
        params: &[Param {
            name: "Last-Event-ID",
            location: In::Header,
            required: false,
            description: "Resume after this event (the id of an event this stream sent)",
            schema: r#"{"type": "string", "pattern": "^\\s*[0-9]{1,18}\\s*$"}"#,
        }],
        answers: &[
            ok(
                200,
                "Events until the scan has finished or failed",
                Body::Media("text/event-stream", r##"{"$ref": "#/components/schemas/ScanEventMessage"}"##),
            ),
            err(400, "Unreadable Last-Event-ID"),
        ],
        audit: Some("events.read"),
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/scans/{scan}/events", handler!(continuous::events))
    },
    Route {
        summary: "Webhook deliveries about a scan",
        tag: "continuous",
        answers: &[ok(200, "Deliveries", Body::Json("DeliveryPage"))],
        audit: Some("deliveries.read"),
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/scans/{scan}/deliveries", handler!(continuous::deliveries))
    },
    Route {
        audit: Some("report.download:inventory.json"),
        summary: "The inventory a scan evaluated, in the snapshot upload format; its SHA-256 is the scan document's \
                  inventory_sha256 (what `securebase plugin replay` re-runs a plugin on; audited)",
        tag: "reports",
        answers: &[
            ok(200, "Account documents", Body::Json(r#"{"type": "array", "items": {"type": "object"}}"#)),
            err(404, "No such scan, or a scan from before scans kept their inventory"),
            NOT_FINISHED,
        ],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/scans/{scan}/inventory", handler!(reports::inventory))
    },
    Route {
        audit: Some("report.download:scan.json"),
        summary: "The whole scan document: every plugin that ran (name, version, SHA-256, built-in or the tenant's), every \
                  evaluation's fuel and time, findings, scores, errors (audited)",
        tag: "reports",
        answers: &[
            ok(
                200,
                "Scan document",
                Body::Json(
                    r#"{"type": "object", "required": ["schema", "plugins", "frameworks", "organization", "accounts", "plugin_errors"]}"#,
                ),
            ),
            NOT_FINISHED,
        ],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/scans/{scan}/document", handler!(reports::document))
    },
    Route {
        audit: Some("report.download:report.pdf"),
        summary: "PDF compliance report of a scan for a framework (audited)",
        tag: "reports",
        params: &[FRAMEWORK],
        answers: &[
            ok(200, "PDF", Body::Media("application/pdf", r#"{"type": "string", "format": "binary"}"#)),
            err(400, "Unknown framework"),
            NOT_FINISHED,
        ],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/scans/{scan}/report.pdf", handler!(reports::pdf))
    },
    Route {
        audit: Some("report.download:report.csv"),
        summary: "Findings of a scan as CSV (audited)",
        tag: "reports",
        answers: &[ok(200, "CSV", Body::Media("text/csv", r#"{"type": "string"}"#)), NOT_FINISHED],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/scans/{scan}/report.csv", handler!(reports::csv))
    },
    Route {
        audit: Some("report.download:report.ocsf.json"),
        summary: "Findings of a scan as OCSF Compliance Finding events (audited)",
        tag: "reports",
        answers: &[ok(200, "OCSF events", Body::Json(r#"{"type": "array", "items": {"type": "object"}}"#)), NOT_FINISHED],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/scans/{scan}/report.ocsf.json", handler!(reports::ocsf))
    },
    Route {
        audit: Some("report.download:audit-package.zip"),
        summary: "Audit package of a scan for a framework: one zip (audited)",
        description: "The PDF report, the findings as CSV and OCSF, the exception register (exceptions.json, each with its \
                      history), the framework's attestations (attestations.json) and every evidence file they reference \
                      (evidence/<sha256>/<name>), and manifest.json listing each file's SHA-256 and size. When the service \
                      signs reports, manifest.sig is the Ed25519 signature line over manifest.json's bytes (key at \
                      GET /v1/signing-key) and the PDF is signed too; `securebase report verify PACKAGE --public-key KEY` \
                      checks all of it offline and names each file that is missing, changed or not listed.",
        tag: "reports",
        params: &[FRAMEWORK],
        answers: &[
            ok(200, "Zip archive", Body::Media("application/zip", r#"{"type": "string", "format": "binary"}"#)),
            err(400, "A framework that is not a framework id"),
            NOT_FINISHED,
        ],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/scans/{scan}/audit-package.zip", handler!(reports::audit_package))
    },
    Route {
        audit: Some("report.download:compliance-report"),
        summary: "Compliance report: summary, requirements, failing findings with remediation (audited)",
        tag: "reports",
        params: &[
            FRAMEWORK,
            SCAN,
            q(
                "failing_skip",
                "Failing findings to skip (default 0)",
                r#"{"type": "integer", "minimum": 0, "maximum": 9223372036854775807}"#,
            ),
            q(
                "failing_limit",
                "Failing findings per page, 1 to 500 (default 100), most severe first",
                r#"{"type": "integer", "minimum": 1, "maximum": 500}"#,
            ),
        ],
        answers: &[ok(200, "Report", Body::Json("ComplianceReport")), err(400, "Unknown framework"), NOT_FINISHED],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/compliance-report", handler!(reports::compliance_report))
    },
    Route {
        summary: "Findings of a scan, filtered and paginated",
        tag: "reports",
        params: &[
            SCAN,
            q("framework", "Only checks of this framework", r##"{"$ref": "#/components/schemas/FrameworkId"}"##),
            q("requirement", "Only checks of this requirement (of framework, or the tenant's)", r#"{"type": "string", "minLength": 1}"#),
            q("check", "Check id; GET /v1/plugins lists them", r##"{"$ref": "#/components/schemas/CheckId"}"##),
            q("status", "Finding status", r#"{"type": "string", "enum": ["pass", "fail", "excepted", "not_applicable", "error"]}"#),
            q("severity", "Finding severity", r#"{"type": "string", "enum": ["critical", "high", "medium", "low", "info"]}"#),
            q("resource_type", "e.g. AWS::S3::Bucket", r#"{"type": "string"}"#),
            q("account", "12-digit account id", r#"{"type": "string"}"#),
            q(
                "sort",
                "severity: most severe first; scan (default): in the scan's order",
                r#"{"type": "string", "enum": ["scan", "severity"]}"#,
            ),
            SKIP,
            LIMIT,
        ],
        answers: &[
            ok(200, "A page of findings", Body::Json("FindingPage")),
            err(400, "Unknown framework or check"),
            err(404, "No such tenant or scan, or no such requirement in the framework"),
        ],
        audit: Some("findings.read"),
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/findings", handler!(reports::findings))
    },
    Route {
        summary: "Posture: every framework's summary for one scan (the newest by default), one framework's requirements on request",
        tag: "reports",
        params: &[
            SCAN,
            q("framework", "Also list this framework's requirements with their status", r#"{"type": "string", "minLength": 1}"#),
        ],
        answers: &[
            ok(200, "Framework results of the scan", Body::Json("Posture")),
            err(404, "No such scan or no finished scan, or a framework the scan did not score"),
            NOT_FINISHED,
        ],
        audit: Some("posture.read"),
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/posture", handler!(reports::posture))
    },
    Route {
        summary: "Framework scores of the last succeeded scans, oldest first (a score-over-time chart)",
        tag: "reports",
        params: &[q("limit", "Scans, 1 to 100 (default 30)", r#"{"type": "integer", "minimum": 1, "maximum": 100}"#)],
        answers: &[ok(200, "Scores per scan", Body::Json("ScoreHistory")), err(400, "A limit out of range")],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/scores", handler!(reports::scores))
    },
    Route {
        summary: "The tenant's audit log, oldest first",
        tag: "audit",
        params: PAGE,
        answers: &[ok(200, "A page of audit records", Body::Json("AuditPage"))],
        ..route(Get, "/v1/tenants/{id}/audit", handler!(tenants::audit))
    },
    Route {
        summary: "Usage in a month: events, quantities and cost by kind and price, and the invoice estimated so far",
        tag: "billing",
        params: &[q("month", "YYYY-MM (default: this month, UTC)", r#"{"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}"#)],
        answers: &[ok(200, "Usage", Body::Json("Usage"))],
        ..route(Get, "/v1/tenants/{id}/usage", handler!(billing::usage))
    },
    Route {
        summary: "The invoice of a month: issued (immutable), draft (closed, not yet issued) or open (this month)",
        tag: "billing",
        answers: &[
            ok(
                200,
                "Invoice",
                Body::Json(r##"{"allOf": [{"$ref": "#/components/schemas/Invoice"}, {"required": ["tenant_id", "status"]}]}"##),
            ),
            err(404, "No such tenant, or a month that has not started"),
        ],
        ..route(Get, "/v1/tenants/{id}/invoices/{month}", handler!(billing::invoice))
    },
    Route {
        audit: Some("schedule.create"),
        summary: "Scan on a schedule",
        tag: "continuous",
        request: Some("NewSchedule"),
        answers: &[ok(201, "Schedule", Body::Json("Schedule")), err(409, "A schedule of the tenant's accounts, and the tenant lists none")],
        ..route(Post, "/v1/tenants/{id}/schedules", handler!(continuous::create_schedule))
    },
    Route {
        summary: "The tenant's schedules",
        tag: "continuous",
        answers: &[ok(200, "Schedules", Body::Json("ScheduleList"))],
        ..route(Get, "/v1/tenants/{id}/schedules", handler!(continuous::list_schedules))
    },
    Route {
        audit: Some("schedule.delete"),
        summary: "Remove a schedule",
        tag: "continuous",
        answers: &[ok(204, "Removed", Body::Empty)],
        ..route(Delete, "/v1/tenants/{id}/schedules/{schedule}", handler!(continuous::delete_schedule))
    },
    Route {
        audit: Some("webhook.set"),
        summary: "Set (or replace) the tenant's webhook",
        description: "Events: scan.finished (every succeeded scan, with drift counts) and finding.new_failures (new failures at or \
                      above min_severity). Each POST carries X-SecureBase-Event, X-SecureBase-Delivery (stable across retries) and \
                      X-SecureBase-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>. Failed deliveries are retried \
                      with exponential backoff.",
        tag: "continuous",
        request: Some("NewWebhook"),
        answers: &[
            ok(201, "Webhook with its signing secret, shown once", Body::Json("WebhookCreated")),
            err(503, "The service has no secret key to sign with"),
        ],
        ..route(Put, "/v1/tenants/{id}/webhook", handler!(continuous::set_webhook))
    },
    Route {
        summary: "The tenant's webhook",
        tag: "continuous",
        answers: &[ok(200, "Webhook (without its secret)", Body::Json("Webhook"))],
        ..route(Get, "/v1/tenants/{id}/webhook", handler!(continuous::show_webhook))
    },
    Route {
        audit: Some("webhook.delete"),
        summary: "Remove the webhook",
        tag: "continuous",
        answers: &[ok(204, "Removed", Body::Empty)],
        ..route(Delete, "/v1/tenants/{id}/webhook", handler!(continuous::delete_webhook))
    },
    Route {
        audit: Some("plugin.upload"),
        summary: "Upload a control plugin (a WebAssembly component) for the tenant's scans",
        description: "The body is the component (Content-Type: application/wasm). It is validated as the sandbox loads any plugin: \
                      contract major version, allowed imports, compiles, metadata read under the sandbox's limits. Its check ids \
                      may not be built-in ones nor another enabled plugin's of the tenant. A name and version are immutable: a \
                      new version adds a version; the newest enabled version runs on every scan of the tenant (and no other).",
        tag: "extensions",
        upload: Some(WASM),
        params: &[SIGNATURE],
        answers: &[
            ok(201, "The new version", Body::Json("PluginVersion")),
            ok(200, "The same bytes were uploaded before as this version: nothing changed", Body::Json("PluginVersion")),
            err(409, "This name and version exist with other bytes; versions are immutable"),
            err(422, "Not a loadable plugin (the reason is named), a check id that is taken, or a missing or bad signature"),
        ],
        ..route(Post, "/v1/tenants/{id}/plugins", handler!(extensions::upload_plugin))
    },
    Route {
        summary: "The tenant's plugins, every version",
        tag: "extensions",
        answers: &[ok(200, "Plugin versions by name, newest first; running marks the version scans run", Body::Json("TenantPluginList"))],
        window: Window::Whole,
        ..route(Get, "/v1/tenants/{id}/plugins", handler!(extensions::list_plugins))
    },
    Route {
        summary: "One plugin's versions",
        tag: "extensions",
        answers: &[ok(200, "Its versions, newest first", Body::Json("TenantPluginList"))],
        window: Window::Whole,
        ..route(Get, "/v1/tenants/{id}/plugins/{plugin}", handler!(extensions::show_plugin))
    },
    Route {
        audit: Some("plugin.update"),
        summary: "Enable or disable a plugin (every version, or one)",
        tag: "extensions",
        request: Some("PluginPatch"),
        answers: &[
            ok(200, "Its versions as they are now", Body::Json("TenantPluginList")),
            err(409, "Enabling it would run a check id another enabled plugin of the tenant provides"),
        ],
        ..route(Patch, "/v1/tenants/{id}/plugins/{plugin}", handler!(extensions::patch_plugin))
    },
    Route {
        audit: Some("plugin.delete"),
        summary: "Delete a plugin (every version, or one); scans that ran it keep naming it",
        tag: "extensions",
        params: &[VERSION],
        answers: &[ok(204, "Deleted", Body::Empty)],
        ..route(Delete, "/v1/tenants/{id}/plugins/{plugin}", handler!(extensions::delete_plugin))
    },
    Route {
        audit: Some("signing_key.create"),
        summary: "Register an Ed25519 public key; from then on every plugin upload must be signed by one of the tenant's keys",
        tag: "extensions",
        request: Some("NewSigningKey"),
        answers: &[ok(201, "The key", Body::Json("SigningKey")), err(409, "The tenant has this key already")],
        ..route(Post, "/v1/tenants/{id}/signing-keys", handler!(extensions::add_signing_key))
    },
    Route {
        summary: "The tenant's signing keys",
        tag: "extensions",
        answers: &[ok(200, "Keys, oldest first", Body::Json("SigningKeyList"))],
        window: Window::Whole,
        ..route(Get, "/v1/tenants/{id}/signing-keys", handler!(extensions::list_signing_keys))
    },
    Route {
        audit: Some("signing_key.delete"),
        summary: "Remove a signing key (with none left, uploads need no signature)",
        tag: "extensions",
        answers: &[ok(204, "Removed", Body::Empty)],
        ..route(Delete, "/v1/tenants/{id}/signing-keys/{signing_key}", handler!(extensions::delete_signing_key))
    },
    Route {
        audit: Some("exception.create"),
        summary: "Record an exception: failing findings accepted as a risk (check, and optionally account, region, \
                  resource id or ARN glob, tags), with justification, approver and expiry",
        description: "Scans from then on report the findings it covers as excepted (never passing) and a requirement whose \
                      only failures are excepted as passing_with_exceptions. expires is the last day it applies \
                      (YYYY-MM-DD), not in the past and at most 366 days ahead; every problem is named by its field.",
        tag: "exceptions",
        request: Some("NewException"),
        answers: &[
            ok(201, "The exception, with its history", Body::Json("ExceptionRecord")),
            err(409, "The tenant has an exception with this id"),
            err(422, "A field is missing or wrong (each named)"),
        ],
        ..route(Post, "/v1/tenants/{id}/exceptions", handler!(exceptions::create))
    },
    Route {
        summary: "The tenant's exceptions (not deleted), each with its state (active or expired) and history",
        tag: "exceptions",
        answers: &[ok(200, "Exceptions by id", Body::Json("ExceptionList"))],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/exceptions", handler!(exceptions::list))
    },
    Route {
        summary: "One exception, deleted or not, with every change made to it (who, when, what)",
        tag: "exceptions",
        answers: &[ok(200, "The exception", Body::Json("ExceptionRecord"))],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/exceptions/{exception}", handler!(exceptions::show))
    },
    Route {
        audit: Some("exception.update"),
        summary: "Change an exception: the fields given replace the current ones (null clears an optional one)",
        tag: "exceptions",
        request: Some("ExceptionPatch"),
        answers: &[
            ok(200, "The exception, with the change in its history", Body::Json("ExceptionRecord")),
            err(409, "The exception is deleted"),
            err(422, "A field is wrong (each named)"),
        ],
        ..route(Patch, "/v1/tenants/{id}/exceptions/{exception}", handler!(exceptions::update))
    },
    Route {
        audit: Some("exception.delete"),
        summary: "Delete an exception: later scans no longer apply it; it and its history stay readable",
        tag: "exceptions",
        answers: &[ok(204, "Deleted", Body::Empty)],
        ..route(Delete, "/v1/tenants/{id}/exceptions/{exception}", handler!(exceptions::delete))
    },
    Route {
        audit: Some("attestation.create"),
        summary: "Attest a manual requirement: a multipart body with a part attestation (JSON: framework, requirement, \
                  statement, attested_by, valid_from, valid_until) and zero or more evidence file parts",
        description: "While valid, the requirement is attested in the tenant's scans (never an automated pass). Evidence files are \
                      stored by SHA-256 (at most the service's evidence size limit each, 20 MiB by default).",
        tag: "attestations",
        upload: Some(MULTIPART),
        answers: &[
            ok(201, "The attestation, with its evidence files' names, sizes and SHA-256", Body::Json("AttestationRecord")),
            err(422, "A part or field is missing or wrong (each named), or an evidence file is over the cap"),
        ],
        ..route(Post, "/v1/tenants/{id}/attestations", handler!(attestations::create))
    },
    Route {
        summary: "The tenant's attestations (not deleted), each with its state: valid, not_yet_valid or expired",
        tag: "attestations",
        answers: &[ok(200, "Attestations by id", Body::Json("AttestationList"))],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/attestations", handler!(attestations::list))
    },
    Route {
        summary: "One attestation, deleted or not",
        tag: "attestations",
        answers: &[ok(200, "The attestation", Body::Json("AttestationRecord"))],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/attestations/{attestation}", handler!(attestations::show))
    },
    Route {
        audit: Some("attestation.evidence.download"),
        summary: "Download an evidence file of an attestation, by its SHA-256 (audited)",
        tag: "attestations",
        answers: &[ok(200, "The file as uploaded", Body::Media("application/octet-stream", r#"{"type": "string", "format": "binary"}"#))],
        window: Window::Narrowed,
        ..route(Get, "/v1/tenants/{id}/attestations/{attestation}/evidence/{sha256}", handler!(attestations::evidence))
    },
    Route {
        audit: Some("attestation.delete"),
        summary: "Delete an attestation: later scans no longer apply it; scans that did keep naming it",
        tag: "attestations",
        answers: &[ok(204, "Deleted", Body::Empty)],
        ..route(Delete, "/v1/tenants/{id}/attestations/{attestation}", handler!(attestations::delete))
    },
    Route {
        audit: Some("framework.create"),
        summary: "Upload a framework of the tenant's own (the TOML format of frameworks/*.toml)",
        description: "Requirements map to built-in check ids and the tenant's enabled plugins' ones; a requirement without checks \
                      is manual. Every unknown check id and duplicate requirement is named with its line. It is scored, \
                      reported and drifted like a built-in framework on the tenant's next scans.",
        tag: "extensions",
        upload: Some(TOML),
        answers: &[
            ok(201, "Version 1 of the framework", Body::Json("TenantFramework")),
            err(409, "The tenant has a framework with this id: PUT a new version"),
            err(422, "Not a valid framework file (every problem named with its line), or a built-in framework's id"),
        ],
        ..route(Post, "/v1/tenants/{id}/frameworks", handler!(extensions::create_framework))
    },
    Route {
        summary: "The tenant's own frameworks (current versions)",
        tag: "extensions",
        answers: &[ok(200, "Frameworks by id", Body::Json("TenantFrameworkList"))],
        window: Window::Whole,
        ..route(Get, "/v1/tenants/{id}/frameworks", handler!(extensions::list_frameworks))
    },
    Route {
        summary: "One of the tenant's frameworks, with its file",
        tag: "extensions",
        answers: &[ok(200, "The current version", Body::Json("TenantFramework"))],
        window: Window::Whole,
        ..route(Get, "/v1/tenants/{id}/frameworks/{framework}", handler!(extensions::show_framework))
    },
    Route {
        audit: Some("framework.update"),
        summary: "Upload a new version of one of the tenant's frameworks (or its first)",
        tag: "extensions",
        upload: Some(TOML),
        answers: &[
            ok(201, "The new version", Body::Json("TenantFramework")),
            err(422, "Not a valid framework file, a built-in framework's id, or the file's id is not the path's"),
        ],
        ..route(Put, "/v1/tenants/{id}/frameworks/{framework}", handler!(extensions::put_framework))
    },
    Route {
        audit: Some("framework.delete"),
        summary: "Delete one of the tenant's frameworks; scans that scored it keep their results",
        tag: "extensions",
        answers: &[ok(204, "Deleted", Body::Empty), err(409, "It is the tenant's framework: PATCH the tenant to another first")],
        ..route(Delete, "/v1/tenants/{id}/frameworks/{framework}", handler!(extensions::delete_framework))
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    #[test]
    fn every_route_is_declared_once_and_every_mutation_is_audited() {
        assert!(ROUTES.len() >= 30, "{} routes", ROUTES.len());
        let mut seen = std::collections::HashSet::new();
        for r in ROUTES {
            assert!(seen.insert((r.verb, r.path)), "{:?} {} declared twice", r.verb, r.path);
            assert!(!r.summary.is_empty() && !r.tag.is_empty(), "{} {} is undocumented", r.verb.as_str(), r.path);
            if r.verb != Verb::Get {
                assert!(r.audit.is_some(), "{} {} changes something but is not audited", r.verb.as_str(), r.path);
            }
            for p in r.path_params() {
                assert!(PATH_PARAMS.iter().any(|(n, ..)| *n == p), "{}: path parameter {p} is undocumented", r.path);
            }
            if r.path.starts_with("/v1/tenants/") {
                assert!(matches!(r.access, Access::Tenant | Access::Admin), "{} must be confined to its tenant", r.path);
            }
        }
    }

    #[test]
    fn a_request_path_finds_its_route_literal_segments_first() {
        let r = find(&Method::GET, "/v1/tenants/t_1/scans/s_1/drift").unwrap();
        assert_eq!(r.path, "/v1/tenants/{id}/scans/{scan}/drift");
        let r = find(&Method::GET, "/v1/tenants/t_1/scans/s_1").unwrap();
        assert_eq!(r.path, "/v1/tenants/{id}/scans/{scan}");
        assert!(find(&Method::GET, "/v1/tenants/t_1/scans/s_1/report.txt").is_none());
        assert!(find(&Method::PUT, "/v1/tenants/t_1").is_none());
        assert_eq!(by_template(&Method::DELETE, "/v1/tenants/{id}").unwrap().audit, Some("tenant.delete"));
    }
}
