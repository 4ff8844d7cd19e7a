-- Iceberg path, step 5: the lake's Iceberg table and the staging view analysts query.
--
-- Freshness: the Worker commits every written Parquet file to the table within its commit
-- interval (the milk-table queue's max_batch_timeout, 15 s); Snowflake polls Basin Catalog every 30 s
-- (REFRESH_INTERVAL_SECONDS of the integration) and then reads the new snapshot. An event is
-- visible here about commit interval + 30 s + Snowflake's own refresh time after it was accepted.
--
-- Exactness: the table holds exactly the lake's current files. Compaction replaces an hour's
-- batch files with its rebuild files in one overwrite commit, so a compacted hour has each
-- event id once. Hours not compacted yet (the current hour, late data reopening an hour) can
-- hold two copies of an id from two deliveries; the view keeps one of them (below).
USE ROLE MILK_ENGINEER;
USE WAREHOUSE MILK_WH;

-- CATALOG_NAMESPACE / CATALOG_TABLE_NAME: the Worker's TABLE_NAMESPACE / TABLE_NAME (default milk.locations).
CREATE ICEBERG TABLE IF NOT EXISTS MILK.RAW.locations
  EXTERNAL_VOLUME = 'milk_r2_volume'
  CATALOG = 'milk_basin_catalog'
  CATALOG_NAMESPACE = 'milk'
  CATALOG_TABLE_NAME = 'locations'
  AUTO_REFRESH = TRUE
  COMMENT = 'The milk lake as an Iceberg table in Basin Catalog (read-only, refreshed every 30 s)';

-- Smoke checks: the snapshot Snowflake has read, and the row count.
SELECT SYSTEM$GET_ICEBERG_TABLE_INFORMATION('MILK.RAW.locations');
SELECT COUNT(*) AS rows_in_current_snapshot FROM MILK.RAW.locations;

-- One row per event id, in UTC. Timestamps in the table are Iceberg timestamptz (Parquet
-- TIMESTAMP(MILLIS, UTC)), which Snowflake types as a session-time-zone timestamp (an instant);
-- CONVERT_TIMEZONE('UTC', …) gives that instant in UTC and ::TIMESTAMP_NTZ keeps its wall clock,
-- so no analyst's TIMEZONE setting changes an hour, a day or an hour of day. created_at comes
-- from created_at_ms, the same way as on the external-table path.
-- Which copy of an id is kept: the one compaction keeps (the lake's order user_id, created_at,
-- then the first processed, then the first received), so an hour's answer does not change when
-- it is compacted. Copies tying on all of these come from one delivery processed twice in the
-- same millisecond and hold the same values.
-- Cost: the window runs over every row a query reads; a filter on created_at is not pushed below
-- it. If that grows too slow, materialize this SELECT as a dynamic table (TARGET_LAG '1 minute' or
-- more), trading that lag for speed. Not deduplicating compacted hours only: the hour status can
-- run ahead of the snapshot Snowflake has read, which would count an hour's batch copies twice.
CREATE OR REPLACE VIEW MILK.STAGING.milk_events AS
SELECT
  id, TO_TIMESTAMP_NTZ(created_at_ms, 3) AS created_at, created_at_ms,
  CONVERT_TIMEZONE('UTC', actual_created_at)::TIMESTAMP_NTZ AS actual_created_at,
  CONVERT_TIMEZONE('UTC', received_at)::TIMESTAMP_NTZ AS received_at,
  event_type, live, replayed, source,
  user_id, external_user_id, device_id, mm_user_id,
  latitude, longitude, accuracy_m, confidence,
  trip_id, trip_external_id, trip_status,
  CONVERT_TIMEZONE('UTC', trip_created_at)::TIMESTAMP_NTZ AS trip_created_at,
  CONVERT_TIMEZONE('UTC', trip_updated_at)::TIMESTAMP_NTZ AS trip_updated_at,
  CONVERT_TIMEZONE('UTC', trip_started_at)::TIMESTAMP_NTZ AS trip_started_at,
  trip_mm_user_id, route_session_type, route_session_id, trip_metadata_json,
  geofence_id, geofence_external_id, geofence_tag, geofence_description,
  CONVERT_TIMEZONE('UTC', process_timestamp)::TIMESTAMP_NTZ AS process_timestamp,
  CONVERT_TIMEZONE('UTC', process_hour)::TIMESTAMP_NTZ AS process_hour
FROM MILK.RAW.locations
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY id ORDER BY user_id NULLS LAST, created_at_ms, process_timestamp, received_at
) = 1;

GRANT SELECT ON VIEW MILK.STAGING.milk_events TO ROLE MILK_ANALYST;

-- First query: events per UTC hour of the last day.
SELECT DATE_TRUNC('hour', created_at) AS hour_utc, COUNT(*) AS events
FROM MILK.STAGING.milk_events
WHERE created_at >= DATEADD('day', -1, DATE_TRUNC('hour', SYSDATE()))
GROUP BY 1 ORDER BY 1;
