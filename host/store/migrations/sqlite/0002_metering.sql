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
    dedup_key TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('api_call', 'compliance_scan', 'report_generated')),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    tier TEXT NOT NULL,
    unit_price_micros INTEGER NOT NULL CHECK (unit_price_micros >= 0),
    billable INTEGER NOT NULL CHECK (billable IN (0, 1)),
    detail TEXT NOT NULL
);
CREATE INDEX usage_by_tenant ON usage_events (tenant_id, at);

CREATE TABLE invoices (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    month TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (tenant_id, month)
);

CREATE TRIGGER usage_events_no_update BEFORE UPDATE ON usage_events
BEGIN
    SELECT RAISE(ABORT, 'usage_events is append-only: UPDATE refused');
END;
CREATE TRIGGER usage_events_no_delete BEFORE DELETE ON usage_events
BEGIN
    SELECT RAISE(ABORT, 'usage_events is append-only: DELETE refused');
END;
CREATE TRIGGER invoices_no_update BEFORE UPDATE ON invoices
BEGIN
    SELECT RAISE(ABORT, 'invoices is append-only: UPDATE refused');
END;
CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
BEGIN
    SELECT RAISE(ABORT, 'invoices is append-only: DELETE refused');
END;
