-- A finding names its resource as a reader knows it: the name and ARN of its
-- configuration item (an RDS instance's id is its DbiResourceId, `db-M5EN...`). Null for
-- findings stored before this migration and for resources that have neither.
ALTER TABLE findings ADD COLUMN resource_name TEXT;
ALTER TABLE findings ADD COLUMN resource_arn TEXT;
