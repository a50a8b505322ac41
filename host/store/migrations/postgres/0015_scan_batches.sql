-- One scan of many accounts spread over many workers: the scan's worker (its
-- coordinator) splits the tenant's accounts into batches; any worker claims a batch
-- with a lease, as it claims a scan, collects its accounts and stores what it collected
-- under that lease. When the last batch is stored the coordinator evaluates, scores,
-- meters and notifies once. A dead worker's batch is claimed again when its lease
-- expires; a batch that keeps losing its workers is failed, and its accounts are
-- reported as not collected (the rest of the scan stands).
CREATE TABLE scan_batches (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    scan_id TEXT NOT NULL REFERENCES scans (id),
    seq BIGINT NOT NULL,
    accounts TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    lease_owner TEXT,
    lease_expires_at TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    result TEXT,
    error TEXT,
    UNIQUE (scan_id, seq)
);
CREATE INDEX scan_batches_queue ON scan_batches (status, created_at);

ALTER TABLE scan_batches ENABLE ROW LEVEL SECURITY;
ALTER TABLE scan_batches FORCE ROW LEVEL SECURITY;
CREATE POLICY scan_batches_scope ON scan_batches
    USING (tenant_id = current_setting('securebase.tenant_id', true)
           OR current_setting('securebase.worker', true) = 'on')
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true)
                OR current_setting('securebase.worker', true) = 'on');

GRANT SELECT, INSERT, UPDATE ON scan_batches TO securebase_app;
