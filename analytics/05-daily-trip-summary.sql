-- Daily trip summary: per day and trip, driver, first/last event, duration, stops
SELECT
  CAST(min(created_at) AS DATE)                                        AS day,
  trip_id,
  any_value(trip_external_id)                                          AS trip_external_id,
  any_value(external_user_id)                                          AS driver,
  min(created_at)                                                      AS first_event,
  max(created_at)                                                      AS last_event,
  round(date_diff('second', min(created_at), max(created_at)) / 60.0, 1) AS duration_min,
  count(*)                                                             AS events,
  count(*) FILTER (WHERE event_type = 'user.entered_geofence')         AS stops
FROM milk_events
WHERE trip_id IS NOT NULL
GROUP BY trip_id
ORDER BY day, first_event;
