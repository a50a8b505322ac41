-- What tenants bring: their own control plugins (WebAssembly components, stored
-- content-addressed per tenant so that any worker can load them), the Ed25519 keys
-- their uploads must be signed with, and their own frameworks. All tenant-owned, so
-- filtered by tenant in every query (SQLite has no row-level security).

CREATE TABLE plugin_blobs (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    sha256 TEXT NOT NULL,
    wasm BLOB NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
);

CREATE TABLE tenant_plugins (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    contract TEXT NOT NULL,
    checks TEXT NOT NULL,
    size INTEGER NOT NULL,
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
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
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    PRIMARY KEY (tenant_id, id, version)
);
