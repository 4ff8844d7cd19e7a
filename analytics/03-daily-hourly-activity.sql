-- Daily and hourly activity: events, active drivers and trips per day and hour of day
SELECT
  CAST(created_at AS DATE)        AS day,
  hour(created_at)                AS hour_of_day,
  count(*)                        AS events,
  count(DISTINCT user_id)         AS active_drivers,
  count(DISTINCT trip_id)         AS active_trips
FROM milk_events
GROUP BY ALL
ORDER BY day, hour_of_day;
