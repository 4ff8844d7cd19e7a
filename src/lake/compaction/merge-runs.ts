import type { LocationRecord } from "../../normalize";
import { compareRecords, type SortKey } from "../../sinks/lake-parquet";
import { narrowRuns } from "./combine-runs";
import type { CompactionDeps } from "./config";
import { writeDuplicateTombstones } from "./duplicate-pass";
import { combinedKey, idRunKey, runKey, tombstoneKey } from "../keys";
import { ID_RUN, RECORD_RUN, TOMBSTONE_RUN, readRun, type RunCodec } from "./run-files";
import { mergeSorted } from "./run-heap";

/**
 * K-way merge of sorted runs in lake order, each id once, holding one row per run. Tombstone
 * streams (duplicate-pass.ts) are merged first, so on a tie a tombstone comes right before the
 * rows with its sort key, which are dropped. Copies of one event under one sort key are adjacent
 * and the first (lowest run: first processed) is kept.
 */
export async function* mergeRuns(tombstones: AsyncIterator<SortKey>[], runs: AsyncIterator<LocationRecord>[]): AsyncGenerator<LocationRecord> {
  let dropped: SortKey | undefined;
  let previous: string | undefined;
  for await (const { value, run } of mergeSorted<SortKey>([...tombstones, ...runs], compareRecords)) {
    if (run < tombstones.length) {
      dropped = value;
      continue;
    }
    if ((dropped && compareRecords(value, dropped) === 0) || value.id === previous) continue;
    previous = value.id;
    yield value as LocationRecord;
  }
}

/**
 * The hour's rows for the merge, each id once, in lake order. The id runs are combined down to
 * COMPACTION_MERGE_FAN_IN for the duplicate pass; then the tombstone runs down to a quarter of it
 * (tombstones are few) and the record runs to the rest, so the merge opens at most the fan-in.
 * Everything it writes is named per planning, so a retried merge rewrites the same objects.
 */
export async function openMergedRows(deps: Pick<CompactionDeps, "bucket" | "config">, job: { jobId: string; planId: string; shards: number }): Promise<AsyncGenerator<LocationRecord>> {
  const { bucket, config } = deps;
  const { jobId, planId } = job;
  const narrow = <T>(kind: string, codec: RunCodec<T>, keys: string[], target: number) =>
    narrowRuns(bucket, codec, keys, target, config.partBytes, (first, last) => combinedKey(jobId, planId, kind, first, last));
  const shards = Array.from({ length: job.shards }, (_, shard) => shard);
  const idRuns = await narrow("ids", ID_RUN, shards.map((s) => idRunKey(jobId, planId, s)), config.mergeFanIn);
  const dropped = await writeDuplicateTombstones(bucket, idRuns, (n) => tombstoneKey(jobId, planId, n));
  const tombstoneKeys = Array.from({ length: dropped.runs }, (_, n) => tombstoneKey(jobId, planId, n));
  const tombstoneRuns = await narrow("tombstones", TOMBSTONE_RUN, tombstoneKeys, Math.max(1, Math.floor(config.mergeFanIn / 4)));
  const recordRuns = await narrow("records", RECORD_RUN, shards.map((s) => runKey(jobId, planId, s)), config.mergeFanIn - tombstoneRuns.length);
  const open = <T>(codec: RunCodec<T>, keys: string[]) => keys.map((key) => readRun(bucket, key, codec));
  return mergeRuns(open(TOMBSTONE_RUN, tombstoneRuns), open(RECORD_RUN, recordRuns));
}
