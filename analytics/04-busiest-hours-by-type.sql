-- Busiest hours by type: for each event type, its three busiest hours of day
WITH counts AS (
  SELECT event_type, hour(created_at) AS hour_of_day, count(*) AS events
  FROM milk_events
  GROUP BY ALL
)
SELECT event_type, hour_of_day, events
FROM (SELECT *, row_number() OVER (PARTITION BY event_type ORDER BY events DESC, hour_of_day) AS rank FROM counts)
WHERE rank <= 3
ORDER BY event_type, rank;
