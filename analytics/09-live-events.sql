-- Live events: live vs test environment and replayed vs real-time, with lag from device to server
SELECT
  coalesce(CAST(live AS VARCHAR), 'unknown')      AS live,
  coalesce(CAST(replayed AS VARCHAR), 'unknown')  AS replayed,
  count(*)                                        AS events,
  round(median(date_diff('millisecond', created_at, actual_created_at)) / 1000.0, 1) AS median_server_lag_s,
  round(max(date_diff('millisecond', created_at, actual_created_at)) / 1000.0, 1)    AS max_server_lag_s
FROM milk_events
GROUP BY ALL
ORDER BY live DESC, replayed;
