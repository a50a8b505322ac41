-- Attestations of manual requirements, and their evidence files stored content-addressed
-- per tenant (SHA-256). An attestation is soft-deleted: scans that applied it keep
-- naming it and its evidence stays downloadable for them.

CREATE TABLE evidence_blobs (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
);

CREATE TABLE attestations (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    PRIMARY KEY (tenant_id, id)
);
