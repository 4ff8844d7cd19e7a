import type { CompactionMessage } from "../../contract/compaction-message";
import { sendAll } from "../../queue-limits";
import { HOUR_MS, hourPartition, uniqueName } from "../keys";
import { DIRTY_PREFIX, partitionEndMs, segmentPartition } from "../keys";

/**
 * The hour of one delimited prefix. miniflare returns `compaction/dirty/<segment>/`; R2's reference
 * example shows prefixes without the trailing delimiter, so both shapes are read.
 */
export const prefixPartition = (prefix: string) => segmentPartition(prefix.slice(DIRTY_PREFIX.length).replace(/\/$/, ""));

/** Dirty hours, from a delimiter listing: one entry per hour, not per marker. */
async function listDirtyHours(bucket: R2Bucket): Promise<string[]> {
  const hours: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: DIRTY_PREFIX, delimiter: "/", cursor });
    hours.push(...page.delimitedPrefixes.map(prefixPartition));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return hours;
}

/**
 * Sends one plan message per hour: returns the job ids. Used by the cron and the admin
 * rebuild route alike, so both run the same compaction.
 */
export async function enqueueCompactions(queue: Pick<Queue<CompactionMessage>, "sendBatch">, partitions: string[], nowMs: number) {
  const jobs = partitions.map((partition) => ({ jobId: uniqueName(nowMs), partition }));
  await sendAll<CompactionMessage>(queue, jobs.map((job) => ({ step: "plan", ...job })));
  return jobs;
}

/**
 * Cron: compacts the previous hour (unless it is already a single object) and every closed
 * dirty hour, whatever hour it belongs to (late data, redrives, raced compactions).
 */
export async function compactClosedHours(env: Env, scheduledTimeMs: number) {
  const closedBy = Math.floor(scheduledTimeMs / HOUR_MS) * HOUR_MS;
  const previous = hourPartition(closedBy - HOUR_MS);
  const hours = new Set((await listDirtyHours(env.LAKE_BUCKET)).filter((p) => partitionEndMs(p) <= closedBy));
  if (!hours.has(previous) && (await env.LAKE_BUCKET.list({ prefix: `locations/${previous}/`, limit: 2 })).objects.length >= 2) hours.add(previous);
  const jobs = await enqueueCompactions(env.COMPACT_QUEUE as Queue<CompactionMessage>, [...hours].sort(), scheduledTimeMs);
  console.log(JSON.stringify({ msg: "compactions enqueued", hours: jobs.length, jobs }));
  return jobs;
}
