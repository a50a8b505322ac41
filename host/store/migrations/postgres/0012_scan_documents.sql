-- A scan's documents (its full report, its drift, the inventory it evaluated: tens of
-- megabytes each for a large organization) move out of the scans row into a table of
-- their own, one row per document, as on SQLite, where a row's large leading value made
-- every read of the columns after it slow. PostgreSQL already keeps large values out of
-- line (TOAST); the move keeps the two schemas one, and the table is confined to its
-- tenant like the findings are.

CREATE TABLE scan_documents (
    scan_id TEXT NOT NULL REFERENCES scans (id),
    kind TEXT NOT NULL CHECK (kind IN ('report', 'drift', 'inventory')),
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    body TEXT NOT NULL,
    PRIMARY KEY (scan_id, kind)
);

INSERT INTO scan_documents (scan_id, kind, tenant_id, body)
    SELECT id, 'report', tenant_id, report FROM scans WHERE report IS NOT NULL;
INSERT INTO scan_documents (scan_id, kind, tenant_id, body)
    SELECT id, 'drift', tenant_id, drift FROM scans WHERE drift IS NOT NULL;
INSERT INTO scan_documents (scan_id, kind, tenant_id, body)
    SELECT id, 'inventory', tenant_id, inventory FROM scans WHERE inventory IS NOT NULL;

ALTER TABLE scans DROP COLUMN report;
ALTER TABLE scans DROP COLUMN drift;
ALTER TABLE scans DROP COLUMN inventory;

ALTER TABLE scan_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE scan_documents FORCE ROW LEVEL SECURITY;
CREATE POLICY scan_documents_scope ON scan_documents
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));
GRANT SELECT, INSERT ON scan_documents TO securebase_app;
