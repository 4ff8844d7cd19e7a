-- Peak hours share: each hour of day's share of all events, busiest first
SELECT
  hour(created_at)                                          AS hour_of_day,
  count(*)                                                  AS events,
  round(100.0 * count(*) / sum(count(*)) OVER (), 2)        AS pct_of_events
FROM milk_events
GROUP BY ALL
ORDER BY events DESC, hour_of_day;
