-- Attestations of manual requirements, and their evidence files stored content-addressed
-- per tenant (SHA-256). An attestation is soft-deleted: scans that applied it keep
-- naming it and its evidence stays downloadable for them.

CREATE TABLE evidence_blobs (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
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

ALTER TABLE evidence_blobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE evidence_blobs FORCE ROW LEVEL SECURITY;
CREATE POLICY evidence_blobs_scope ON evidence_blobs
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));
ALTER TABLE attestations ENABLE ROW LEVEL SECURITY;
ALTER TABLE attestations FORCE ROW LEVEL SECURITY;
CREATE POLICY attestations_scope ON attestations
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));
GRANT SELECT, INSERT ON evidence_blobs TO securebase_app;
GRANT SELECT, INSERT, UPDATE ON attestations TO securebase_app;
