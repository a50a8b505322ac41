-- Audit windows: a read key may be limited to a period (both dates inclusive,
-- YYYY-MM-DD); it then sees only the scans, exceptions and attestations of that period.
--
-- webhook_deliveries.scan_id names what a delivery is about: a scan's id, or for an
-- exception.expiring notice `exception/<tenant>/<exception>/<expires>`, whose
-- UNIQUE (scan_id, event) makes each expiry notified once however many schedulers run.

ALTER TABLE api_keys ADD COLUMN window_from TEXT;
ALTER TABLE api_keys ADD COLUMN window_to TEXT;
