-- Sessions of the web portal (/ui/): a browser signs in with an API key once and then
-- holds only a random session token in an HttpOnly cookie. The token is stored as its
-- SHA-256; the session acts as its key, so revoking the key ends it too. Sessions are
-- read before anyone is identified (as keys are), in the service's own scope: no
-- tenant's binding sees them.

CREATE TABLE portal_sessions (
    token_sha256 TEXT PRIMARY KEY,
    key_id TEXT NOT NULL REFERENCES api_keys (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE INDEX portal_sessions_key ON portal_sessions (key_id);

ALTER TABLE portal_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE portal_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY portal_sessions_service ON portal_sessions
    USING (current_setting('securebase.admin', true) = 'on')
    WITH CHECK (current_setting('securebase.admin', true) = 'on');
GRANT SELECT, INSERT, UPDATE ON portal_sessions TO securebase_app;
