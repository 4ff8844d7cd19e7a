-- Step 6 (both paths): the hour-complete signal, read without listing files.
--
-- The Worker keeps a small status object in the bucket beside the table: per UTC hour of event
-- time, whether it is final (ended more than the grace period ago, compacted, nothing pending),
-- still open, or reopened by late data (final again after its next compaction). Snowflake cannot
-- read Iceberg table properties or snapshot summaries in SQL, so it reads that object through a
-- stage scoped to its own prefix (never locations/, raw/ or quarantine/).
-- SEAM (issue 19 part B): prefix table-status/, object hours.json, fields hours[].hour (ISO-8601
-- UTC hour start), hours[].state ('final' | 'open' | 'reopened') and updated_at. If the Worker's
-- status object differs, only this file changes.
--
-- How to use it:
--   Iceberg path: an hour whose state is 'final' is in MILK.STAGING.milk_events as final within
--   Snowflake's 30 s refresh after updated_at.
--   External-table path: it is loaded as final once a load run started after updated_at:
--   SELECT h.* FROM MILK.STAGING.lake_hours h WHERE h.is_final
--     AND h.status_updated_at < (SELECT MAX(started_at) FROM MILK.RAW.load_runs);
USE ROLE MILK_ENGINEER;
USE WAREHOUSE MILK_WH;
USE SCHEMA MILK.RAW;

CREATE FILE FORMAT IF NOT EXISTS MILK.RAW.ff_milk_json
  TYPE = JSON
  COMPRESSION = AUTO;

-- The same read-only R2 key as the lake (or a token limited to this prefix, if you make one).
CREATE STAGE IF NOT EXISTS MILK.RAW.r2_milk_table_status
  URL = 's3compat://<BUCKET>/table-status/'
  ENDPOINT = '<ACCOUNT_ID>.r2.cloudflarestorage.com'
  CREDENTIALS = (AWS_KEY_ID = '<R2_ACCESS_KEY_ID>' AWS_SECRET_KEY = '<R2_SECRET_ACCESS_KEY>')
  FILE_FORMAT = MILK.RAW.ff_milk_json
  COMMENT = 'table-status/ of the milk lake bucket only';

-- One row per hour the Worker reports, in UTC (times carry their offset, converted explicitly).
CREATE OR REPLACE VIEW MILK.STAGING.lake_hours AS
SELECT
  CONVERT_TIMEZONE('UTC', h.value:hour::TIMESTAMP_TZ)::TIMESTAMP_NTZ AS hour_utc,
  h.value:state::VARCHAR AS state,
  h.value:state::VARCHAR = 'final' AS is_final,
  CONVERT_TIMEZONE('UTC', s.$1:updated_at::TIMESTAMP_TZ)::TIMESTAMP_NTZ AS status_updated_at
FROM @MILK.RAW.r2_milk_table_status/hours.json (FILE_FORMAT => 'MILK.RAW.ff_milk_json') AS s,
  LATERAL FLATTEN(input => s.$1:hours) AS h;

GRANT SELECT ON VIEW MILK.STAGING.lake_hours TO ROLE MILK_ANALYST;

-- First query: the last day's hours and whether each is final.
SELECT hour_utc, state FROM MILK.STAGING.lake_hours
WHERE hour_utc >= DATEADD('day', -1, DATE_TRUNC('hour', SYSDATE()))
ORDER BY hour_utc;
