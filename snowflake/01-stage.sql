-- Snowflake over the R2 lake, step 1: database, file format and external stage.
--
-- Known limits:
--  * R2 sends no event notifications Snowflake can consume, so there is no AUTO_INGEST /
--    AUTO_REFRESH: a TASK refreshes hourly (03-load-task.sql).
--  * s3compat endpoints must be enabled for the account; endpoints containing
--    r2.cloudflarestorage.com are enabled by default, older accounts may need a support ticket.
--  * ENDPOINT takes a host only: no scheme, no port.
--  * Timestamps are INT64 TIMESTAMP(MILLIS, isAdjustedToUTC=true). With USE_LOGICAL_TYPE = TRUE
--    (or the vectorized scanner) they load as TIMESTAMP_LTZ; external tables ignore that option
--    and see TIMESTAMP_NTZ holding the UTC wall clock. created_at_ms (epoch ms) is the fallback.

CREATE DATABASE IF NOT EXISTS MILK;
CREATE SCHEMA IF NOT EXISTS MILK.RAW;
CREATE SCHEMA IF NOT EXISTS MILK.STAGING;
CREATE SCHEMA IF NOT EXISTS MILK.ANALYTICS;
USE SCHEMA MILK.RAW;

CREATE OR REPLACE FILE FORMAT ff_milk_parquet
  TYPE = PARQUET
  COMPRESSION = AUTO
  BINARY_AS_TEXT = FALSE
  USE_LOGICAL_TYPE = TRUE
  USE_VECTORIZED_SCANNER = TRUE;
-- What the files contain (docs/parquet.md): v1 data pages, PLAIN and PLAIN_DICTIONARY values,
-- RLE levels, GZIP column chunks (UNCOMPRESSED when tiny; AUTO detects both), min/max statistics
-- in Parquet's orderings. No DELTA_* or BYTE_STREAM_SPLIT, which no Snowflake document says it reads.
-- The vectorized scanner is Snowflake's recommendation for COPY of Parquet; external tables
-- ignore it and USE_LOGICAL_TYPE (see the note on timestamps above).

-- Use an R2 API token scoped read-only to the bucket (Snowflake never writes here).
CREATE OR REPLACE STAGE r2_milk_lake
  URL = 's3compat://milk-lake/'
  ENDPOINT = '<ACCOUNT_ID>.r2.cloudflarestorage.com'
  CREDENTIALS = (AWS_KEY_ID = '<R2_ACCESS_KEY_ID>' AWS_SECRET_KEY = '<R2_SECRET_ACCESS_KEY>')
  FILE_FORMAT = ff_milk_parquet;

-- Smoke check: should list locations/dt=.../hour=.../*.parquet
LIST @r2_milk_lake/locations/ PATTERN = '.*[.]parquet';
