-- Step 7 (both paths): the analytics layer, the same questions as analytics/*.sql (DuckDB), in
-- Snowflake SQL, over MILK.STAGING.milk_events (a view over the Iceberg table, or the dynamic
-- table of the external-table path; the same columns either way).
-- UTC: every time in milk_events is a TIMESTAMP_NTZ holding the UTC wall clock, so DATE_TRUNC,
-- TO_DATE and HOUR below give UTC hours and days whatever the session's TIMEZONE; they answer
-- what `npm run lake -- query` answers over the same files (its DuckDB session is UTC).
USE ROLE MILK_ENGINEER;
USE WAREHOUSE MILK_WH;
USE SCHEMA MILK.ANALYTICS;

CREATE OR REPLACE VIEW total_events AS
SELECT COUNT(*) AS events, COUNT(DISTINCT user_id) AS drivers, COUNT(DISTINCT trip_id) AS trips,
       MIN(created_at) AS first_event, MAX(created_at) AS last_event
FROM MILK.STAGING.milk_events;

CREATE OR REPLACE VIEW hourly_events_by_type AS
SELECT DATE_TRUNC('hour', created_at) AS hour_utc, event_type, COUNT(*) AS events
FROM MILK.STAGING.milk_events GROUP BY 1, 2;

CREATE OR REPLACE VIEW daily_hourly_activity AS
SELECT TO_DATE(created_at) AS day, HOUR(created_at) AS hour_of_day, COUNT(*) AS events,
       COUNT(DISTINCT user_id) AS active_drivers, COUNT(DISTINCT trip_id) AS active_trips
FROM MILK.STAGING.milk_events GROUP BY 1, 2;

CREATE OR REPLACE VIEW busiest_hours_by_type AS
SELECT event_type, hour_of_day, events FROM (
  SELECT event_type, HOUR(created_at) AS hour_of_day, COUNT(*) AS events
  FROM MILK.STAGING.milk_events GROUP BY 1, 2
) QUALIFY ROW_NUMBER() OVER (PARTITION BY event_type ORDER BY events DESC, hour_of_day) <= 3;

CREATE OR REPLACE VIEW daily_trip_summary AS
SELECT TO_DATE(MIN(created_at)) AS day, trip_id, ANY_VALUE(trip_external_id) AS trip_external_id,
       ANY_VALUE(external_user_id) AS driver, MIN(created_at) AS first_event, MAX(created_at) AS last_event,
       ROUND(DATEDIFF('second', MIN(created_at), MAX(created_at)) / 60.0, 1) AS duration_min,
       COUNT(*) AS events, COUNT_IF(event_type = 'user.entered_geofence') AS stops
FROM MILK.STAGING.milk_events WHERE trip_id IS NOT NULL GROUP BY trip_id;

CREATE OR REPLACE VIEW peak_hours_share AS
SELECT HOUR(created_at) AS hour_of_day, COUNT(*) AS events,
       ROUND(100.0 * COUNT(*) / SUM(COUNT(*)) OVER (), 2) AS pct_of_events
FROM MILK.STAGING.milk_events GROUP BY 1;

CREATE OR REPLACE VIEW user_activity_summary AS
SELECT user_id, ANY_VALUE(external_user_id) AS driver, COUNT(*) AS events, COUNT(DISTINCT trip_id) AS trips,
       COUNT_IF(event_type = 'user.entered_geofence') AS geofence_entries,
       MIN(created_at) AS first_seen, MAX(created_at) AS last_seen,
       ROUND(100.0 * COUNT_IF(replayed) / COUNT(*), 1) AS pct_replayed
FROM MILK.STAGING.milk_events WHERE user_id IS NOT NULL GROUP BY user_id;

CREATE OR REPLACE VIEW geographic_activity_by_hour AS
SELECT DATE_TRUNC('hour', created_at) AS hour_utc, ROUND(latitude, 2) AS lat_cell, ROUND(longitude, 2) AS lon_cell,
       COUNT(*) AS events, COUNT(DISTINCT user_id) AS drivers
FROM MILK.STAGING.milk_events WHERE latitude IS NOT NULL AND longitude IS NOT NULL GROUP BY 1, 2, 3;

CREATE OR REPLACE VIEW live_events AS
SELECT COALESCE(TO_VARCHAR(live), 'unknown') AS live, COALESCE(TO_VARCHAR(replayed), 'unknown') AS replayed,
       COUNT(*) AS events,
       ROUND(MEDIAN(DATEDIFF('millisecond', created_at, actual_created_at)) / 1000.0, 1) AS median_server_lag_s,
       ROUND(MAX(DATEDIFF('millisecond', created_at, actual_created_at)) / 1000.0, 1) AS max_server_lag_s
FROM MILK.STAGING.milk_events GROUP BY 1, 2;

-- True great-circle distance; HAVERSINE(lat1, lon1, lat2, lon2) returns km.
CREATE OR REPLACE VIEW daily_distance_per_trip AS
WITH fixes AS (
  SELECT trip_id, user_id, created_at, latitude, longitude,
         LAG(latitude)  OVER (PARTITION BY trip_id ORDER BY created_at, id) AS prev_lat,
         LAG(longitude) OVER (PARTITION BY trip_id ORDER BY created_at, id) AS prev_lon
  FROM MILK.STAGING.milk_events
  WHERE trip_id IS NOT NULL AND latitude IS NOT NULL AND longitude IS NOT NULL
)
SELECT TO_DATE(created_at) AS day, trip_id, ANY_VALUE(user_id) AS user_id, COUNT(*) AS legs,
       ROUND(SUM(HAVERSINE(prev_lat, prev_lon, latitude, longitude)), 2) AS distance_km
FROM fixes WHERE prev_lat IS NOT NULL GROUP BY 1, 2;

GRANT SELECT ON ALL VIEWS IN SCHEMA MILK.ANALYTICS TO ROLE MILK_ANALYST;

-- First query, as an analyst: events per UTC hour and type.
USE ROLE MILK_ANALYST;
SELECT * FROM MILK.ANALYTICS.hourly_events_by_type ORDER BY hour_utc DESC, events DESC LIMIT 20;
