-- User activity summary: per driver, events, trips, geofence visits, active span, replayed share
SELECT
  user_id,
  any_value(external_user_id)                                           AS driver,
  count(*)                                                              AS events,
  count(DISTINCT trip_id)                                               AS trips,
  count(*) FILTER (WHERE event_type = 'user.entered_geofence')          AS geofence_entries,
  min(created_at)                                                       AS first_seen,
  max(created_at)                                                       AS last_seen,
  round(100.0 * count(*) FILTER (WHERE replayed) / count(*), 1)         AS pct_replayed
FROM milk_events
WHERE user_id IS NOT NULL
GROUP BY user_id
ORDER BY events DESC, user_id;
