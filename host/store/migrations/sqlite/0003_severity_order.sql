-- Failing findings are listed most severe first (the compliance report pages them); a
-- rank column and an index in that order let a page be read without sorting the scan.
ALTER TABLE findings ADD COLUMN severity_rank INTEGER NOT NULL DEFAULT 4;
UPDATE findings SET severity_rank = CASE severity
    WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END;
CREATE INDEX findings_by_severity ON findings (tenant_id, scan_id, status, severity_rank, seq);
