-- Usage metering and invoices. Usage events and issued invoices are append-only, like
-- the audit log; the tier history is what prorates a month's base fee.

CREATE TABLE tier_history (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    tier TEXT NOT NULL CHECK (tier IN ('healthcare', 'fintech', 'gov-federal', 'standard')),
    effective_at TEXT NOT NULL
);
CREATE INDEX tier_history_by_tenant ON tier_history (tenant_id, effective_at);
INSERT INTO tier_history (tenant_id, tier, effective_at) SELECT id, tier, created_at FROM tenants;

CREATE TABLE usage_events (
    -- One key per metered thing (a request, a scan), so nothing is counted twice.
    dedup_key TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('api_call', 'compliance_scan', 'report_generated')),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    tier TEXT NOT NULL,
    unit_price_micros BIGINT NOT NULL CHECK (unit_price_micros >= 0),
    billable BIGINT NOT NULL CHECK (billable IN (0, 1)),
    detail TEXT NOT NULL
);
CREATE INDEX usage_by_tenant ON usage_events (tenant_id, at);

CREATE TABLE invoices (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    month TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (tenant_id, month)
);

CREATE FUNCTION securebase_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END $$;
CREATE TRIGGER usage_events_immutable BEFORE UPDATE OR DELETE ON usage_events
    FOR EACH ROW EXECUTE FUNCTION securebase_immutable();
CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION securebase_immutable();

ALTER TABLE tier_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE tier_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tier_history_scope ON tier_history
    USING (current_setting('securebase.admin', true) = 'on'
           OR tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (current_setting('securebase.admin', true) = 'on');

ALTER TABLE usage_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_events FORCE ROW LEVEL SECURITY;
CREATE POLICY usage_scope ON usage_events
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));

ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoices FORCE ROW LEVEL SECURITY;
CREATE POLICY invoices_scope ON invoices
    USING (tenant_id = current_setting('securebase.tenant_id', true));

GRANT SELECT, INSERT ON tier_history, usage_events, invoices TO securebase_app;
