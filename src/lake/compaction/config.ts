import type { CompactionMessage } from "../../contract/compaction-message";

export interface CompactionConfig {
  /** Envelopes per sort shard: bounds a sort step's memory (docs/performance.md#compaction). */
  shardEvents: number;
  /** A merge starts a new file once the current one reaches this many bytes. */
  targetFileBytes: number;
  /** Multipart part size: R2 needs equal parts (≥ 5 MiB) except the last. */
  partBytes: number;
  /**
   * Rows per Parquet row group written by the merge: a row group is in memory as records, columns
   * and pages at once (about 2 KB a row, measured), so 10,000 keeps a 2 M-event merge well under 128 MB.
   */
  rowGroupRows: number;
  /**
   * Most runs one merge reads at once: each open run holds a body chunk, so more runs than this
   * are first combined into fewer (combine-runs.ts) and memory stops growing with the hour.
   */
  mergeFanIn: number;
  /** A batch Parquet file without a raw twin is an orphan once older than this. */
  orphanGraceMs: number;
}

/** What the compaction steps need: storage, the compaction queue, the table queue and the tuning. */
export interface CompactionDeps {
  bucket: R2Bucket;
  queue: Pick<Queue<CompactionMessage>, "send" | "sendBatch">;
  /** The table committer's queue: the merge registers its overwrite there (src/lake/table/commit/). */
  table: Pick<Queue, "send">;
  config: CompactionConfig;
}

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
};

/** Tuning vars; the last two are optional (unset in wrangler.toml), for tests and operators. */
type TuningVars = Partial<Record<"COMPACTION_SHARD_EVENTS" | "COMPACTION_TARGET_FILE_BYTES" | "COMPACTION_ROW_GROUP_ROWS" | "COMPACTION_MERGE_FAN_IN" | "COMPACTION_ORPHAN_GRACE_MS", string>>;

export function compactionConfig(vars: TuningVars): CompactionConfig {
  return {
    shardEvents: positive(vars.COMPACTION_SHARD_EVENTS, 20_000),
    targetFileBytes: positive(vars.COMPACTION_TARGET_FILE_BYTES, 128 * 1024 * 1024),
    partBytes: 8 * 1024 * 1024,
    rowGroupRows: positive(vars.COMPACTION_ROW_GROUP_ROWS, 10_000),
    mergeFanIn: Math.max(2, positive(vars.COMPACTION_MERGE_FAN_IN, 64)),
    orphanGraceMs: positive(vars.COMPACTION_ORPHAN_GRACE_MS, 15 * 60_000),
  };
}

export function compactionDeps(env: Env): CompactionDeps {
  return { bucket: env.LAKE_BUCKET, queue: env.COMPACT_QUEUE as Queue<CompactionMessage>, table: env.TABLE_QUEUE, config: compactionConfig(env as TuningVars) };
}
