-- A scan's documents (its full report, its drift, the inventory it evaluated: tens of
-- megabytes each for a large organization) move out of the scans row into a table of
-- their own, one row per document. SQLite keeps a row's columns in order and reaches a
-- column stored past a large value by reading that value's overflow pages one by one:
-- with the columns later migrations appended after `report`, every listing of scans
-- read every listed scan's whole report (a tenant's overview: ~350 ms at 100,000
-- findings a scan). Scans rows are small again; a document is read only when asked for.

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
