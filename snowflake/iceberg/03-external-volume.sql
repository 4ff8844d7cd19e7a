-- Iceberg path, step 3: the external volume over the R2 bucket (S3-compatible storage).
-- The volume covers the whole bucket because the table's data files (locations/…) and its
-- metadata (manifests, manifest lists, metadata JSON, written beside the data) both live there.
-- Only MILK_ENGINEER has USAGE on it; analysts reach the data through MILK.STAGING views.
-- Use an R2 API token with Object Read only on this one bucket: Snowflake never writes here.
-- Never CREATE OR REPLACE the volume (the Iceberg table depends on it); rotate the key with
-- snowflake/rotate-credentials/iceberg.sql.
USE ROLE MILK_ENGINEER;

CREATE EXTERNAL VOLUME IF NOT EXISTS milk_r2_volume
  STORAGE_LOCATIONS = (
    (
      NAME = 'milk-r2'
      STORAGE_PROVIDER = 'S3COMPAT'
      STORAGE_BASE_URL = 's3compat://<BUCKET>/'
      CREDENTIALS = (AWS_KEY_ID = '<R2_ACCESS_KEY_ID>' AWS_SECRET_KEY = '<R2_SECRET_ACCESS_KEY>')
      STORAGE_ENDPOINT = '<ACCOUNT_ID>.r2.cloudflarestorage.com'
    )
  )
  ALLOW_WRITES = FALSE
  COMMENT = 'R2 bucket of the milk lake, read-only';

-- Check: the volume exists (DESCRIBE EXTERNAL VOLUME milk_r2_volume shows its storage location;
-- a wrong key or endpoint shows as an error on the table in iceberg/05-table.sql).
SHOW EXTERNAL VOLUMES LIKE 'milk_r2_volume';
