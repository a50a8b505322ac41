-- The inventory a scan evaluated (a JSON array of snapshot account documents), kept
-- with the scan so that `securebase plugin replay` can reproduce a questioned finding.
-- The scan document records its SHA-256; NULL for scans from before this migration.
ALTER TABLE scans ADD COLUMN inventory TEXT;
