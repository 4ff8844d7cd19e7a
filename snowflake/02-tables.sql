-- Step 2: raw layer (external table over the files + a native table loaded by COPY),
-- staging (one row per event id) and analytics views.
USE SCHEMA MILK.RAW;

-- External table: reads the files in place. Partition columns come from the object key,
-- matched by regex because METADATA$FILENAME includes the stage path.
CREATE OR REPLACE EXTERNAL TABLE locations_ext (
  dt   DATE   AS TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1, 1, 'e', 1)),
  hour NUMBER AS TO_NUMBER(REGEXP_SUBSTR(METADATA$FILENAME, 'hour=([0-9]{2})', 1, 1, 'e', 1)),
  id            VARCHAR       AS (value:id::VARCHAR),
  created_at_ms NUMBER        AS (value:created_at_ms::NUMBER),
  created_at    TIMESTAMP_NTZ AS (TO_TIMESTAMP_NTZ(value:created_at_ms::NUMBER, 3)),
  event_type    VARCHAR       AS (value:event_type::VARCHAR),
  user_id       VARCHAR       AS (value:user_id::VARCHAR),
  trip_id       VARCHAR       AS (value:trip_id::VARCHAR),
  latitude      DOUBLE        AS (value:latitude::DOUBLE),
  longitude     DOUBLE        AS (value:longitude::DOUBLE)
)
PARTITION BY (dt, hour)
LOCATION = @r2_milk_lake/locations/
AUTO_REFRESH = FALSE          -- required for s3compat stages
REFRESH_ON_CREATE = TRUE
FILE_FORMAT = (FORMAT_NAME = 'ff_milk_parquet');

-- Native raw table: every row of every file, duplicates included (at-least-once delivery).
CREATE TABLE IF NOT EXISTS locations_raw (
  id VARCHAR NOT NULL, created_at TIMESTAMP_LTZ NOT NULL, created_at_ms NUMBER NOT NULL,
  actual_created_at TIMESTAMP_LTZ, received_at TIMESTAMP_LTZ NOT NULL, event_type VARCHAR NOT NULL,
  live BOOLEAN, replayed BOOLEAN, source VARCHAR NOT NULL,
  user_id VARCHAR, external_user_id VARCHAR, device_id VARCHAR, mm_user_id VARCHAR,
  latitude DOUBLE, longitude DOUBLE, accuracy_m DOUBLE, confidence NUMBER,
  trip_id VARCHAR, trip_external_id VARCHAR, trip_status VARCHAR, trip_created_at TIMESTAMP_LTZ,
  trip_updated_at TIMESTAMP_LTZ, trip_started_at TIMESTAMP_LTZ, trip_mm_user_id VARCHAR,
  route_session_type VARCHAR, route_session_id VARCHAR, trip_metadata_json VARCHAR,
  geofence_id VARCHAR, geofence_external_id VARCHAR, geofence_tag VARCHAR, geofence_description VARCHAR,
  process_timestamp TIMESTAMP_LTZ NOT NULL, process_hour TIMESTAMP_LTZ NOT NULL,
  src_file VARCHAR, src_mtime TIMESTAMP_LTZ
);

-- Staging: one row per event id, the first processed copy wins.
CREATE OR REPLACE VIEW MILK.STAGING.milk_events AS
SELECT * EXCLUDE (src_file, src_mtime)
FROM MILK.RAW.locations_raw
QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY process_timestamp, received_at) = 1;
