-- One scan of many accounts spread over many workers (see the PostgreSQL migration;
-- SQLite has no row-level security: the store binds every query to its tenant).
CREATE TABLE scan_batches (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    scan_id TEXT NOT NULL REFERENCES scans (id),
    seq INTEGER NOT NULL,
    accounts TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    lease_owner TEXT,
    lease_expires_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    result TEXT,
    error TEXT,
    UNIQUE (scan_id, seq)
);
CREATE INDEX scan_batches_queue ON scan_batches (status, created_at);
