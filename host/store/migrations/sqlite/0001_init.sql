-- SecureBase schema, SQLite (the embedded, single-organization default). SQLite has no
-- row-level security: the store's queries carry the tenant filter themselves.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('healthcare', 'fintech', 'gov-federal', 'standard')),
    framework TEXT NOT NULL,
    organization TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    billing_code TEXT NOT NULL,
    accounts TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT REFERENCES tenants (id),
    kind TEXT NOT NULL CHECK (kind IN ('admin', 'tenant')),
    secret_sha256 TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    CHECK ((kind = 'admin') = (tenant_id IS NULL))
);

CREATE TABLE scans (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    source TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    duration_ms INTEGER,
    accounts INTEGER,
    resources INTEGER,
    findings INTEGER,
    failing INTEGER,
    error TEXT,
    summary TEXT,
    report TEXT
);
CREATE INDEX scans_by_tenant ON scans (tenant_id, created_at);

CREATE TABLE findings (
    scan_id TEXT NOT NULL REFERENCES scans (id),
    seq INTEGER NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    check_id TEXT NOT NULL,
    check_title TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    remediation TEXT NOT NULL,
    PRIMARY KEY (scan_id, seq)
);
CREATE INDEX findings_by_scan ON findings (tenant_id, scan_id, status, check_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status INTEGER NOT NULL,
    source TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_by_tenant ON audit_log (tenant_id, id);

-- The audit log is append-only.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END;
