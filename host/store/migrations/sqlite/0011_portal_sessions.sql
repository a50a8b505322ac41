-- Sessions of the web portal (/ui/): a browser signs in with an API key once and then
-- holds only a random session token in an HttpOnly cookie. The token is stored as its
-- SHA-256; the session acts as its key, so revoking the key ends it too.

CREATE TABLE portal_sessions (
    token_sha256 TEXT PRIMARY KEY,
    key_id TEXT NOT NULL REFERENCES api_keys (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE INDEX portal_sessions_key ON portal_sessions (key_id);
