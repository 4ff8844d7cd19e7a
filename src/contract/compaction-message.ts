import * as z from "zod/mini";

/** A raw archive object as a sort shard reads it: key, envelope count and processing time. */
export const RawSource = z.object({ key: z.string(), rows: z.number(), processedAt: z.number() });

/**
 * Messages of the compaction queue, one per step of a job (src/lake/compaction/): `plan` lists an
 * hour, stores each shard's sources and fans out `sort` shards; the last shard to finish sends
 * `merge`. Every message has a fixed size whatever the hour's shape: a shard reads its sources
 * from the object the plan stored (keys.ts shardSourcesKey), never from the message.
 */
export const CompactionMessage = z.union([
  z.object({ step: z.literal("plan"), jobId: z.string(), partition: z.string() }),
  z.object({ step: z.literal("sort"), jobId: z.string(), planId: z.string(), partition: z.string(), shard: z.number(), shards: z.number() }),
  z.object({ step: z.literal("merge"), jobId: z.string(), partition: z.string() }),
]);

export type CompactionMessage = z.infer<typeof CompactionMessage>;
export type RawSource = z.infer<typeof RawSource>;
export type SortMessage = Extract<CompactionMessage, { step: "sort" }>;
