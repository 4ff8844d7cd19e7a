import { recordMetric } from "./metrics";
import { HOUR_MS, hourPartition } from "./sinks/lake-keys";
import { rebuildHour } from "./sinks/lake-rebuild";

/**
 * Hourly roll-up (cron): rewrites the previous hour's many small batch files into one
 * Parquet object from the raw archive (the same code as `npm run ops -- rebuild`).
 * An hour already held in one object is left alone.
 */
export async function compactPreviousHour(env: Env, scheduledTimeMs: number): Promise<void> {
  const partition = hourPartition(scheduledTimeMs - HOUR_MS);
  const objects = await env.LAKE_BUCKET.list({ prefix: `locations/${partition}/`, limit: 2 });
  if (objects.objects.length < 2) return;
  const startedMs = Date.now();
  const result = await rebuildHour(env.LAKE_BUCKET, partition, startedMs);
  console.log(JSON.stringify({ msg: "hour compacted", ...result }));
  recordMetric(env.METRICS, { kind: "compaction", outcome: "ok", label: partition, count: result.rows, figures: [result.rawObjects, result.replaced, Date.now() - startedMs] });
}
