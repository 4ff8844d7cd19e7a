import type { RawSource, SortMessage } from "../../contract/compaction-message";
import { markHourDirty } from "../batch/batch-files";
import { keyOf, listAll, putJson } from "../bucket-io";
import { sendAll } from "../../queue-limits";
import type { CompactionDeps } from "./config";
import { baseName, dirtyPrefix, isCompacted, planKey, shardSourcesKey } from "../keys";

/** What a job saw when it started; the merge replaces exactly these objects (see replaceable). */
export interface JobPlan {
  jobId: string;
  /** This planning's id: its shards' runs and done markers live under it (keys.ts). */
  planId: string;
  partition: string;
  startedAt: string;
  /** Dirty markers listed before anything else: deleted once the hour is replaced. */
  markers: string[];
  /** Earlier compacted files and orphans: always replaced. */
  replace: string[];
  /** Batch file of each listed raw object (by raw key): replaced unless that raw object had a rejection. */
  twins: Record<string, string>;
  shards: number;
  rawObjects: number;
  events: number;
}

/** A raw object as the plan needs it: rows default to a full batch if the metadata is missing. */
const rawSource = (o: R2Object): RawSource => ({
  key: o.key,
  rows: Number(o.customMetadata?.rows) || 100,
  processedAt: Date.parse(o.customMetadata?.processed_at ?? "") || o.uploaded.getTime(),
});

/** Bounds a sort step's R2 reads (one get per source) for hours of many small raw objects. */
const MAX_SOURCES_PER_SHARD = 400;

/** Splits raw objects, in processing order, into shards of at most `shardEvents` envelopes (one object minimum). */
function shardSources(raw: RawSource[], shardEvents: number): RawSource[][] {
  const sources = raw.sort((a, b) => a.processedAt - b.processedAt || (a.key < b.key ? -1 : 1));
  const shards: RawSource[][] = [];
  let current: RawSource[] = [];
  let events = 0;
  for (const source of sources) {
    if (current.length && (events + source.rows > shardEvents || current.length >= MAX_SOURCES_PER_SHARD)) {
      shards.push(current);
      current = [];
      events = 0;
    }
    current.push(source);
    events += source.rows;
  }
  if (current.length) shards.push(current);
  return shards;
}

/**
 * Plan step: lists markers, then `locations/`, then `raw/` (that order is what makes the job
 * exact: a marker it saw was written after its batch file, and a batch file it saw after its raw
 * twin), stores each shard's sources and the plan, then sends one fixed-size sort message per shard.
 */
export async function planHour(deps: CompactionDeps, jobId: string, partition: string, nowMs: number): Promise<JobPlan> {
  const { bucket, config } = deps;
  // The job's own marker: if the job never finishes (its merge ends in the dead-letter queue),
  // the hour stays dirty and the next cron runs it again; a finished merge deletes it with the rest.
  await markHourDirty(bucket, partition, nowMs);
  const markers = await listAll(bucket, dirtyPrefix(partition), keyOf);
  const listed = await listAll(bucket, `locations/${partition}/`, (o) => ({ key: o.key, uploadedMs: o.uploaded.getTime() }));
  const raw = await listAll(bucket, `raw/${partition}/`, rawSource, "customMetadata");
  const rawByName = new Map(raw.map((o) => [baseName(o.key), o.key]));
  const plan: JobPlan = { jobId, planId: crypto.randomUUID(), partition, startedAt: new Date(nowMs).toISOString(), markers, replace: [], twins: {}, shards: 0, rawObjects: raw.length, events: 0 };
  for (const o of listed) {
    const rawKey = rawByName.get(baseName(o.key));
    if (isCompacted(o.key)) plan.replace.push(o.key);
    else if (rawKey) plan.twins[rawKey] = o.key;
    else if (nowMs - o.uploadedMs > config.orphanGraceMs) plan.replace.push(o.key); // raw put failed: orphan
  }
  const shards = shardSources(raw, config.shardEvents);
  plan.shards = shards.length;
  plan.events = raw.reduce((n, o) => n + o.rows, 0);
  // Sources before the plan and both before any message: a delivered sort step finds its list.
  for (let shard = 0; shard < shards.length; shard++) await putJson(bucket, shardSourcesKey(jobId, plan.planId, shard), shards[shard]);
  await putJson(bucket, planKey(jobId), plan);
  const messages: SortMessage[] = shards.map((_, shard) => ({ step: "sort", jobId, planId: plan.planId, partition, shard, shards: shards.length }));
  if (messages.length === 0) await deps.queue.send({ step: "merge", jobId, partition });
  await sendAll(deps.queue, messages);
  return plan;
}
