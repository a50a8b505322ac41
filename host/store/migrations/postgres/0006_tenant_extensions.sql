-- What tenants bring: their own control plugins (WebAssembly components, stored
-- content-addressed per tenant so that any worker can load them), the Ed25519 keys
-- their uploads must be signed with, and their own frameworks. All tenant-owned, so
-- all under row-level security; a worker reads them bound to the job's tenant.

CREATE TABLE plugin_blobs (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    sha256 TEXT NOT NULL,
    wasm BYTEA NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
);

CREATE TABLE tenant_plugins (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    contract TEXT NOT NULL,
    checks TEXT NOT NULL,
    size BIGINT NOT NULL,
    enabled BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    signed_by TEXT,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name, version),
    FOREIGN KEY (tenant_id, sha256) REFERENCES plugin_blobs (tenant_id, sha256)
);

CREATE TABLE signing_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, public_key)
);

CREATE TABLE tenant_frameworks (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    PRIMARY KEY (tenant_id, id, version)
);

ALTER TABLE plugin_blobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE plugin_blobs FORCE ROW LEVEL SECURITY;
CREATE POLICY plugin_blobs_scope ON plugin_blobs
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));

ALTER TABLE tenant_plugins ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_plugins FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_plugins_scope ON tenant_plugins
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));

ALTER TABLE signing_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE signing_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY signing_keys_scope ON signing_keys
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));

ALTER TABLE tenant_frameworks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_frameworks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_frameworks_scope ON tenant_frameworks
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));

GRANT SELECT, INSERT, DELETE ON plugin_blobs, signing_keys TO securebase_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_plugins TO securebase_app;
GRANT SELECT, INSERT, UPDATE ON tenant_frameworks TO securebase_app;
