-- Step 6 (both paths): the hour-complete signal, read without listing lake files.
--
-- The Worker's table committer keeps one small JSON object per compacted UTC hour of event time,
-- table-state/hours/dt=YYYY-MM-DD_hour=HH.json (src/lake/table/commit/hour-status.ts):
--   partition "dt=YYYY-MM-DD/hour=HH", state "compacted" | "reopened", final_after (ISO UTC: the
--   hour's end plus the grace period TABLE_HOUR_GRACE_MS, or the compaction's commit if later),
--   late_files (files appended since that compaction), snapshot_id, updated_at.
-- An hour is final (for now) when state = 'compacted' and final_after has passed. Late data sets
-- 'reopened' until the next compaction is committed. An hour with no object was never compacted:
-- it is still filling. Snowflake cannot read Iceberg table properties or snapshot summaries in
-- SQL, so it reads these objects through a stage scoped to table-state/hours/ (never
-- locations/, raw/ or quarantine/).
--
-- Iceberg path: a final hour is final in MILK.STAGING.milk_events within Snowflake's 30 s poll
-- after updated_at. External-table path: once a load run started after updated_at:
--   SELECT h.* FROM MILK.STAGING.lake_hours h WHERE h.is_final
--     AND h.status_updated_at < (SELECT MAX(started_at) FROM MILK.RAW.load_runs);
USE ROLE MILK_ENGINEER;
USE WAREHOUSE MILK_WH;
USE SCHEMA MILK.RAW;

CREATE FILE FORMAT IF NOT EXISTS MILK.RAW.ff_milk_json
  TYPE = JSON
  COMPRESSION = AUTO;

-- The same read-only R2 key as the lake (or a token limited to this prefix, if you make one).
CREATE STAGE IF NOT EXISTS MILK.RAW.r2_milk_hour_status
  URL = 's3compat://<BUCKET>/table-state/hours/'
  ENDPOINT = '<ACCOUNT_ID>.r2.cloudflarestorage.com'
  CREDENTIALS = (AWS_KEY_ID = '<R2_ACCESS_KEY_ID>' AWS_SECRET_KEY = '<R2_SECRET_ACCESS_KEY>')
  FILE_FORMAT = MILK.RAW.ff_milk_json
  COMMENT = 'table-state/hours/ of the milk lake bucket only';

-- One row per compacted hour. Times are ISO-8601 UTC strings ("…T…Z"); they become TIMESTAMP_NTZ
-- holding UTC by text, so no time zone setting is involved.
CREATE OR REPLACE VIEW MILK.STAGING.lake_hours AS
SELECT
  hour_utc, state, final_after, late_files, snapshot_id, status_updated_at,
  state = 'compacted' AND final_after <= SYSDATE() AS is_final
FROM (
  SELECT
    TO_TIMESTAMP_NTZ(SUBSTR(SPLIT_PART(s.$1:partition::VARCHAR, '/', 1), 4) || ' ' || SUBSTR(SPLIT_PART(s.$1:partition::VARCHAR, '/', 2), 6) || ':00:00') AS hour_utc,
    s.$1:state::VARCHAR AS state,
    TO_TIMESTAMP_NTZ(REPLACE(REPLACE(s.$1:final_after::VARCHAR, 'T', ' '), 'Z', '')) AS final_after,
    s.$1:late_files::NUMBER AS late_files,
    s.$1:snapshot_id::NUMBER AS snapshot_id,
    TO_TIMESTAMP_NTZ(REPLACE(REPLACE(s.$1:updated_at::VARCHAR, 'T', ' '), 'Z', '')) AS status_updated_at
  FROM @MILK.RAW.r2_milk_hour_status (FILE_FORMAT => 'MILK.RAW.ff_milk_json', PATTERN => '.*[.]json') AS s
);

GRANT SELECT ON VIEW MILK.STAGING.lake_hours TO ROLE MILK_ANALYST;

-- First query: the last day's hours; an hour missing here is still filling (never compacted).
SELECT hour_utc, state, is_final, late_files FROM MILK.STAGING.lake_hours
WHERE hour_utc >= DATEADD('day', -1, DATE_TRUNC('hour', SYSDATE()))
ORDER BY hour_utc;
