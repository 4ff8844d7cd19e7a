-- Hourly events by type (UTC hour of the event)
SELECT date_trunc('hour', created_at) AS hour_utc, event_type, count(*) AS events
FROM milk_events
GROUP BY ALL
ORDER BY hour_utc, events DESC, event_type;
