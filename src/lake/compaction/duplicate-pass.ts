import { compareRecords, type SortKey } from "../../sinks/lake-parquet";
import { ID_RUN, TOMBSTONE_RUN, readRun, writeRun, type IdEntry } from "./run-files";
import { mergeSorted } from "./run-heap";

/** Tombstones held before one is written as a sorted run: a few MB at the most. */
const TOMBSTONES_PER_RUN = 20_000;

/**
 * The copies of one id the merge must drop: every copy when one came from a raw object with a
 * rejected envelope (its kept batch file holds the id), else every sort key but the first in
 * lake order, which is the copy the merge keeps.
 */
function losersOf(copies: IdEntry[]): SortKey[] {
  const kept = copies.filter((c) => !c.excluded);
  if (kept.length < copies.length) return kept;
  const first = kept.reduce((a, b) => (compareRecords(a, b) <= 0 ? a : b));
  return kept.filter((c) => compareRecords(c, first) !== 0);
}

/**
 * Duplicate pass of the merge: streams the shards' id runs in id order (one row per run in
 * memory, at most COMPACTION_MERGE_FAN_IN runs) and writes, as sorted tombstone runs, the sort
 * key of every copy the merge must drop.
 * Copies under one sort key are adjacent in the merge and need no tombstone; an id resent with
 * another time, or excluded, does. Memory does not grow with the hour, only with the tombstones
 * of one run. Deterministic, so a retried merge rewrites the same runs.
 */
export async function writeDuplicateTombstones(bucket: R2Bucket, idRunKeys: string[], tombstoneKey: (run: number) => string, perRun = TOMBSTONES_PER_RUN) {
  let runs = 0;
  let tombstones = 0;
  let pending: SortKey[] = [];
  const flush = async () => {
    await writeRun(bucket, tombstoneKey(runs++), TOMBSTONE_RUN, pending.sort(compareRecords));
    tombstones += pending.length;
    pending = [];
  };
  let group: IdEntry[] = [];
  const closeGroup = async () => {
    if (group.length > 1 || group[0]?.excluded) pending.push(...losersOf(group));
    if (pending.length >= perRun) await flush();
    group = [];
  };
  for await (const { value } of mergeSorted(idRunKeys.map((key) => readRun(bucket, key, ID_RUN)), ID_RUN.compare)) {
    if (group.length && group[0]!.id !== value.id) await closeGroup();
    group.push(value);
  }
  await closeGroup();
  if (pending.length) await flush();
  return { runs, tombstones };
}
