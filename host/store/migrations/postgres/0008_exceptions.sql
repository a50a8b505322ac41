-- Tenants' exceptions (accepted risks): the exception itself as JSON (the fields of
-- securebase_exceptions::Exception), and every change made to it (who, when, what), kept
-- after it is deleted so the register an auditor reads has its whole history.

CREATE TABLE exceptions (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE exception_changes (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    exception_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL,
    PRIMARY KEY (tenant_id, exception_id, seq)
);

ALTER TABLE exceptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE exceptions FORCE ROW LEVEL SECURITY;
CREATE POLICY exceptions_scope ON exceptions
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));
ALTER TABLE exception_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE exception_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY exception_changes_scope ON exception_changes
    USING (tenant_id = current_setting('securebase.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('securebase.tenant_id', true));
-- Changes are appended, never rewritten.
GRANT SELECT, INSERT, UPDATE ON exceptions TO securebase_app;
GRANT SELECT, INSERT ON exception_changes TO securebase_app;
