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
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL,
    PRIMARY KEY (tenant_id, exception_id, seq)
);
