-- External-table path, step 3 (accounts without the Iceberg catalog): Parquet file format and
-- an s3compat stage scoped to locations/, so nothing built on it can read raw/ (the verbatim
-- webhook archive) or quarantine/.
--
-- Known limits:
--  * s3compat stages get no event notifications: no AUTO_REFRESH, no AUTO_INGEST. A task loads
--    every 10 minutes (05-load-task.sql); the Iceberg path (snowflake/iceberg/) is fresher.
--  * s3compat endpoints containing r2.cloudflarestorage.com are enabled by default; older
--    accounts may need a support ticket. ENDPOINT takes a host only: no scheme, no port.
--
-- Timestamps: the files hold INT64 TIMESTAMP(MILLIS, isAdjustedToUTC=true) plus the legacy
-- TIMESTAMP_MILLIS converted type. With USE_LOGICAL_TYPE = FALSE and the vectorized scanner
-- off, Snowflake loads them as TIMESTAMP_NTZ holding the UTC wall clock, the same type external
-- tables always use, and no session TIMEZONE is involved. (With the vectorized scanner or
-- USE_LOGICAL_TYPE = TRUE they would load as session-time-zone timestamps.) Both are set
-- explicitly so a default changed by a Snowflake behaviour change bundle cannot move them.
--
-- Never CREATE OR REPLACE the file format or the stage: the external table depends on them and
-- every later REFRESH would fail. Rotate the R2 key with snowflake/rotate-credentials/external-table.sql.
USE ROLE MILK_ENGINEER;
USE WAREHOUSE MILK_WH;
USE SCHEMA MILK.RAW;

CREATE FILE FORMAT IF NOT EXISTS MILK.RAW.ff_milk_parquet
  TYPE = PARQUET
  COMPRESSION = AUTO
  BINARY_AS_TEXT = FALSE
  USE_LOGICAL_TYPE = FALSE
  USE_VECTORIZED_SCANNER = FALSE;
-- What the files contain (docs/parquet.md): v1 data pages, PLAIN and PLAIN_DICTIONARY values,
-- RLE levels, GZIP column chunks (UNCOMPRESSED when tiny; AUTO detects both). Strings carry the
-- UTF8 annotation, so BINARY_AS_TEXT does not change them.

-- An R2 API token with Object Read only on the bucket (Snowflake never writes here).
CREATE STAGE IF NOT EXISTS MILK.RAW.r2_milk_locations
  URL = 's3compat://<BUCKET>/locations/'
  ENDPOINT = '<ACCOUNT_ID>.r2.cloudflarestorage.com'
  CREDENTIALS = (AWS_KEY_ID = '<R2_ACCESS_KEY_ID>' AWS_SECRET_KEY = '<R2_SECRET_ACCESS_KEY>')
  FILE_FORMAT = MILK.RAW.ff_milk_parquet
  COMMENT = 'locations/ of the milk lake bucket only';

-- Smoke check: lists dt=…/hour=…/*.parquet.
LIST @MILK.RAW.r2_milk_locations PATTERN = '.*[.]parquet';
