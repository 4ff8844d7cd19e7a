-- Total events: distinct events in the lake, drivers, trips and the time span covered
SELECT
  count(*)                  AS events,
  count(DISTINCT user_id)   AS drivers,
  count(DISTINCT trip_id)   AS trips,
  min(created_at)           AS first_event,
  max(created_at)           AS last_event
FROM milk_events;
