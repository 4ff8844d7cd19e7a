-- Geographic activity by hour: events per ~1 km grid cell (0.01 degree) and UTC hour
SELECT
  date_trunc('hour', created_at)      AS hour_utc,
  round(latitude, 2)                  AS lat_cell,
  round(longitude, 2)                 AS lon_cell,
  count(*)                            AS events,
  count(DISTINCT user_id)             AS drivers
FROM milk_events
WHERE latitude IS NOT NULL AND longitude IS NOT NULL
GROUP BY ALL
ORDER BY hour_utc, events DESC, lat_cell, lon_cell
LIMIT 200;
