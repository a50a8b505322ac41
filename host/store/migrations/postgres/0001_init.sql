-- SecureBase schema, PostgreSQL. Applied by the table owner at start-up; the service
-- itself runs as `securebase_app`, which owns nothing, so row-level security binds it.

-- The application role: created once per cluster, tolerant of concurrent start-ups.
DO $$ BEGIN
    CREATE ROLE securebase_app NOLOGIN;
EXCEPTION WHEN OTHERS THEN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'securebase_app') THEN RAISE; END IF;
END $$;
DO $$ BEGIN
    IF NOT pg_has_role(current_user, 'securebase_app', 'MEMBER') THEN
        EXECUTE format('GRANT securebase_app TO %I', current_user);
    END IF;
EXCEPTION WHEN OTHERS THEN
    IF NOT pg_has_role(current_user, 'securebase_app', 'MEMBER') THEN RAISE; END IF;
END $$;

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
    duration_ms BIGINT,
    accounts BIGINT,
    resources BIGINT,
    findings BIGINT,
    failing BIGINT,
    error TEXT,
    summary TEXT,
    report TEXT
);
CREATE INDEX scans_by_tenant ON scans (tenant_id, created_at);

CREATE TABLE findings (
    scan_id TEXT NOT NULL REFERENCES scans (id),
    seq BIGINT NOT NULL,
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
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id TEXT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status BIGINT NOT NULL,
    source TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_by_tenant ON audit_log (tenant_id, id);

-- The audit log is append-only for everyone, the owner included.
CREATE FUNCTION securebase_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END $$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION securebase_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION securebase_audit_append_only();

-- Row-level security, forced so that not even the owner escapes it. Every request runs
-- in a transaction that sets `securebase.tenant_id` (or `securebase.admin`) locally.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_scope ON tenants
    USING (current_setting('securebase.admin', true) = 'on'
           OR id = current_setting('securebase.tenant_id', true))
    WITH CHECK (current_setting('securebase.admin', true) = 'on');

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY api_keys_scope ON api_keys
    USING (current_setting('securebase.admin', true) = 'on'
           OR id = current_setting('securebase.key_id', true)
           OR tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (current_setting('securebase.admin', true) = 'on');

ALTER TABLE scans ENABLE ROW LEVEL SECURITY;
ALTER TABLE scans FORCE ROW LEVEL SECURITY;
CREATE POLICY scans_scope ON scans
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));

ALTER TABLE findings ENABLE ROW LEVEL SECURITY;
ALTER TABLE findings FORCE ROW LEVEL SECURITY;
CREATE POLICY findings_scope ON findings
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_read ON audit_log FOR SELECT
    USING (current_setting('securebase.admin', true) = 'on'
           OR tenant_id = current_setting('securebase.tenant_id', true));
CREATE POLICY audit_append ON audit_log FOR INSERT
    WITH CHECK (current_setting('securebase.admin', true) = 'on'
                OR tenant_id = current_setting('securebase.tenant_id', true));

GRANT USAGE ON SCHEMA public TO securebase_app;
GRANT SELECT, INSERT, UPDATE ON tenants, api_keys, scans TO securebase_app;
GRANT SELECT, INSERT ON findings, audit_log TO securebase_app;
GRANT SELECT ON securebase_migrations TO securebase_app;
