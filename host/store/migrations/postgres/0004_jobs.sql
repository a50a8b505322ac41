-- Continuous scanning: scans are jobs that workers claim with a lease, a progress
-- event log per scan, schedules, webhooks and their delivery outbox.
--
-- Workers claim across tenants, so a third scope, `securebase.worker`, may see scans,
-- schedules and deliveries (never findings, keys, usage or the audit log); everything
-- a job does after claiming runs bound to the job's tenant.

ALTER TABLE scans ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE scans ADD COLUMN input TEXT;
ALTER TABLE scans ADD COLUMN lease_owner TEXT;
ALTER TABLE scans ADD COLUMN lease_expires_at TEXT;
ALTER TABLE scans ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN drift TEXT;
ALTER TABLE scans ADD COLUMN drift_summary TEXT;
ALTER TABLE scans ADD COLUMN schedule_id TEXT;
CREATE INDEX scans_queue ON scans (status, created_at);
CREATE INDEX scans_by_scope ON scans (tenant_id, scope, status, finished_at);
CREATE POLICY scans_worker ON scans
    USING (current_setting('securebase.worker', true) = 'on')
    WITH CHECK (current_setting('securebase.worker', true) = 'on');

CREATE TABLE scan_events (
    id BIGSERIAL PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    scan_id TEXT NOT NULL REFERENCES scans (id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX scan_events_by_scan ON scan_events (tenant_id, scan_id, id);

CREATE TABLE schedules (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    cron TEXT NOT NULL,
    timezone TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('demo', 'accounts')),
    next_run_at TEXT NOT NULL,
    last_run_at TEXT,
    last_scan_id TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX schedules_due ON schedules (next_run_at) WHERE deleted_at IS NULL;

CREATE TABLE webhooks (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants (id),
    id TEXT NOT NULL,
    url TEXT NOT NULL,
    min_severity TEXT NOT NULL CHECK (min_severity IN ('critical', 'high', 'medium', 'low')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    webhook_id TEXT NOT NULL,
    url TEXT NOT NULL,
    event TEXT NOT NULL,
    scan_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_status BIGINT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (scan_id, event)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

ALTER TABLE scan_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE scan_events FORCE ROW LEVEL SECURITY;
CREATE POLICY scan_events_scope ON scan_events
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));

ALTER TABLE schedules ENABLE ROW LEVEL SECURITY;
ALTER TABLE schedules FORCE ROW LEVEL SECURITY;
CREATE POLICY schedules_scope ON schedules
    USING (tenant_id = current_setting('securebase.tenant_id', true)
           OR current_setting('securebase.worker', true) = 'on')
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true)
                OR current_setting('securebase.worker', true) = 'on');

ALTER TABLE webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhooks FORCE ROW LEVEL SECURITY;
CREATE POLICY webhooks_scope ON webhooks
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));

ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_deliveries_scope ON webhook_deliveries
    USING (tenant_id = current_setting('securebase.tenant_id', true)
           OR current_setting('securebase.worker', true) = 'on')
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true)
                OR current_setting('securebase.worker', true) = 'on');

GRANT SELECT, INSERT ON scan_events TO securebase_app;
GRANT USAGE ON SEQUENCE scan_events_id_seq TO securebase_app;
GRANT SELECT, INSERT, UPDATE ON schedules, webhook_deliveries TO securebase_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON webhooks TO securebase_app;
