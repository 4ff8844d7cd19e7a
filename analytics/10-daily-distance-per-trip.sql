-- Daily distance per trip: great-circle (haversine) distance between consecutive fixes, in km
WITH fixes AS (
  SELECT
    trip_id, user_id, created_at, latitude, longitude,
    lag(latitude)  OVER (PARTITION BY trip_id ORDER BY created_at, id) AS prev_lat,
    lag(longitude) OVER (PARTITION BY trip_id ORDER BY created_at, id) AS prev_lon
  FROM milk_events
  WHERE trip_id IS NOT NULL AND latitude IS NOT NULL AND longitude IS NOT NULL
),
legs AS (
  SELECT
    trip_id, user_id, CAST(created_at AS DATE) AS day,
    -- Haversine with mean Earth radius 6371.0088 km.
    2 * 6371.0088 * asin(sqrt(
      pow(sin(radians(latitude - prev_lat) / 2), 2) +
      cos(radians(prev_lat)) * cos(radians(latitude)) * pow(sin(radians(longitude - prev_lon) / 2), 2)
    )) AS km
  FROM fixes
  WHERE prev_lat IS NOT NULL
)
SELECT day, trip_id, any_value(user_id) AS user_id, count(*) AS legs, round(sum(km), 2) AS distance_km
FROM legs
GROUP BY day, trip_id
ORDER BY day, distance_km DESC;
