-- External-table path, step 4: the external table (the lake's current file list), the loaded
-- rows (locations_raw: exactly the rows of the lake's current files) and staging (milk_events:
-- a dynamic table with one row per event id). 05-load-task.sql keeps them current.
USE ROLE MILK_ENGINEER;
USE WAREHOUSE MILK_WH;
USE SCHEMA MILK.RAW;

-- Partition columns parse METADATA$FILENAME (locations/dt=YYYY-MM-DD/hour=HH/<name>.parquet)
-- with the functions Snowflake allows in partition expressions (SPLIT_PART, SUBSTR, casts),
-- counting parts from the end so the stage path does not matter. A WHERE on dt/hour prunes files.
-- Timestamps inside VALUE are not trusted for time zones: created_at comes from created_at_ms.
CREATE EXTERNAL TABLE IF NOT EXISTS MILK.RAW.locations_ext (
  dt DATE AS (SUBSTR(SPLIT_PART(METADATA$FILENAME, '/', -3), 4)::DATE),
  hour NUMBER AS (SUBSTR(SPLIT_PART(METADATA$FILENAME, '/', -2), 6)::NUMBER),
  id VARCHAR AS (value:id::VARCHAR),
  created_at_ms NUMBER AS (value:created_at_ms::NUMBER),
  created_at TIMESTAMP_NTZ AS (TO_TIMESTAMP_NTZ(value:created_at_ms::NUMBER, 3)),
  event_type VARCHAR AS (value:event_type::VARCHAR),
  user_id VARCHAR AS (value:user_id::VARCHAR)
)
PARTITION BY (dt, hour)
LOCATION = @r2_milk_locations/
AUTO_REFRESH = FALSE
FILE_FORMAT = (FORMAT_NAME = 'MILK.RAW.ff_milk_parquet');
-- REFRESH_ON_CREATE defaults to TRUE: the file list is read at creation; ALTER EXTERNAL TABLE …
-- REFRESH (in each load run) registers files added and removed since.

-- Every row of every current lake file, once: a file's rows are replaced when it is loaded
-- again (a retried compaction rewrites its own files) and removed when the lake removes the
-- file (compaction replaced it). All times are TIMESTAMP_NTZ holding UTC; loaded_at is the
-- load run's SYSDATE() (UTC).
CREATE TABLE IF NOT EXISTS MILK.RAW.locations_raw (
  id VARCHAR NOT NULL, created_at TIMESTAMP_NTZ(3) NOT NULL, created_at_ms NUMBER NOT NULL,
  actual_created_at TIMESTAMP_NTZ(3), received_at TIMESTAMP_NTZ(3) NOT NULL, event_type VARCHAR NOT NULL,
  live BOOLEAN, replayed BOOLEAN, source VARCHAR NOT NULL,
  user_id VARCHAR, external_user_id VARCHAR, device_id VARCHAR, mm_user_id VARCHAR,
  latitude DOUBLE, longitude DOUBLE, accuracy_m DOUBLE, confidence NUMBER,
  trip_id VARCHAR, trip_external_id VARCHAR, trip_status VARCHAR, trip_created_at TIMESTAMP_NTZ(3),
  trip_updated_at TIMESTAMP_NTZ(3), trip_started_at TIMESTAMP_NTZ(3), trip_mm_user_id VARCHAR,
  route_session_type VARCHAR, route_session_id VARCHAR, trip_metadata_json VARCHAR,
  geofence_id VARCHAR, geofence_external_id VARCHAR, geofence_tag VARCHAR, geofence_description VARCHAR,
  process_timestamp TIMESTAMP_NTZ(3) NOT NULL, process_hour TIMESTAMP_NTZ(3) NOT NULL,
  src_file VARCHAR NOT NULL, src_row NUMBER NOT NULL, loaded_at TIMESTAMP_NTZ(3)
);

-- Landing: what one load run copied, before it replaces rows in locations_raw (same columns;
-- loaded_at stays empty here). Emptied with DELETE, never TRUNCATE: TRUNCATE would also drop
-- COPY's load history and reload every file.
CREATE TRANSIENT TABLE IF NOT EXISTS MILK.RAW.locations_landing LIKE MILK.RAW.locations_raw;

-- One row per load run: what the hour status and the alert read.
CREATE TABLE IF NOT EXISTS MILK.RAW.load_runs (
  started_at TIMESTAMP_NTZ(3) NOT NULL, finished_at TIMESTAMP_NTZ(3) NOT NULL,
  rows_loaded NUMBER NOT NULL, rows_removed NUMBER NOT NULL, current_files NUMBER NOT NULL
);

-- Staging as a table: one row per event id, refreshed by the load task right after each load
-- (TARGET_LAG = DOWNSTREAM: no refresh of its own). Which copy of an id is kept: the one
-- compaction keeps (user_id, created_at, then first processed), then first received, then the
-- file and row it came from, a total order, so the same rows always give the same answer.
-- REFRESH_MODE = AUTO picks once, at creation: check SHOW DYNAMIC TABLES LIKE 'MILK_EVENTS'
-- (refresh_mode). INCREMENTAL recomputes only the ids whose rows changed; FULL would rebuild the
-- whole table every run (not verified here which one Snowflake picks for this query).
CREATE OR REPLACE DYNAMIC TABLE MILK.STAGING.milk_events
  TARGET_LAG = DOWNSTREAM
  WAREHOUSE = MILK_WH
  REFRESH_MODE = AUTO
  COMMENT = 'One row per event id of the lake''s current files (external-table path)'
AS
SELECT
  id, created_at, created_at_ms, actual_created_at, received_at, event_type, live, replayed, source,
  user_id, external_user_id, device_id, mm_user_id, latitude, longitude, accuracy_m, confidence,
  trip_id, trip_external_id, trip_status, trip_created_at, trip_updated_at, trip_started_at,
  trip_mm_user_id, route_session_type, route_session_id, trip_metadata_json,
  geofence_id, geofence_external_id, geofence_tag, geofence_description, process_timestamp, process_hour
FROM MILK.RAW.locations_raw
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY id ORDER BY user_id NULLS LAST, created_at_ms, process_timestamp, received_at, src_file, src_row
) = 1;

GRANT SELECT ON DYNAMIC TABLE MILK.STAGING.milk_events TO ROLE MILK_ANALYST;
