import type { CompactionMessage } from "../../contract/compaction-message";
import { sendAll } from "../../queue-limits";
import { DIRTY_PREFIX, HOUR_MS, hourPartition, partitionEndMs, segmentPartition, uniqueName } from "../keys";
import { recordQueuedJobs } from "./job-status";

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
 * rebuild route alike, so both run the same compaction. Each job is recorded before its
 * message is sent, so GET /admin/rebuild/<job id> knows every id it could have been given.
 */
export async function enqueueCompactions(queue: Pick<Queue<CompactionMessage>, "sendBatch">, bucket: R2Bucket, partitions: string[], nowMs: number) {
  const jobs = partitions.map((partition) => ({ jobId: uniqueName(nowMs), partition }));
  await recordQueuedJobs(bucket, jobs);
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
  const jobs = await enqueueCompactions(env.COMPACT_QUEUE as Queue<CompactionMessage>, env.LAKE_BUCKET, [...hours].sort(), scheduledTimeMs);
  console.log(JSON.stringify({ msg: "compactions enqueued", hours: jobs.length, jobs }));
  return jobs;
}
