import { LOCATION_COLUMNS, type LocationRecord } from "../../normalize";
import { compareRecords, type SortKey } from "../../sinks/lake-parquet";
import { compareCodeUnits } from "../../sinks/parquet/compare-utf8";
import { readLines } from "../bucket-io";
import { uploadChunks } from "./part-writer";

/**
 * Sorted runs: NDJSON, one JSON array per row (no repeated field names). Written by a sort shard
 * or the merge, streamed back by the merge, which reads many runs at once: plain text, because a
 * DecompressionStream may read a whole gzip run ahead (Node's does), and a merge of 64 runs
 * would then hold them all. Deleted after the job.
 */
export interface RunCodec<T> {
  toRow(item: T): unknown[];
  fromRow(row: unknown[]): T;
  /** The order the run is sorted in. */
  compare(a: T, b: T): number;
}

/** A shard's records in lake order, every column (about 8 MB per 20,000 rows). */
export const RECORD_RUN: RunCodec<LocationRecord> = {
  toRow: (r) => LOCATION_COLUMNS.map((c) => r[c]),
  fromRow(values) {
    const record: Record<string, unknown> = {};
    LOCATION_COLUMNS.forEach((name, i) => (record[name] = values[i]));
    return record as LocationRecord;
  },
  compare: compareRecords,
};

/**
 * One id of a shard with its sort key, in id order. `excluded` marks an id accepted from a raw
 * object that had a rejected envelope: its batch file is kept, so no copy may enter the hour's files.
 */
export interface IdEntry extends SortKey {
  excluded: boolean;
}

export const ID_RUN: RunCodec<IdEntry> = {
  toRow: (e) => [e.id, e.user_id, e.created_at, e.excluded ? 1 : 0],
  fromRow: ([id, user_id, created_at, excluded]) => ({ id: id as string, user_id: user_id as string | null, created_at: created_at as number, excluded: excluded === 1 }),
  compare: (a, b) => compareCodeUnits(a.id, b.id),
};

/** Sort keys of copies the merge must drop, in lake order. */
export const TOMBSTONE_RUN: RunCodec<SortKey> = {
  toRow: (k) => [k.user_id, k.created_at, k.id],
  fromRow: ([user_id, created_at, id]) => ({ user_id: user_id as string | null, created_at: created_at as number, id: id as string }),
  compare: compareRecords,
};

const RUN_OPTIONS = { httpMetadata: { contentType: "application/x-ndjson" } };

/** Lines of 1,000 rows at a time: never one string, nor one array of rows, of the whole run. */
function* encodeRows<T>(codec: RunCodec<T>, items: readonly T[]): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  for (let i = 0; i < items.length; i += 1000) yield encoder.encode(items.slice(i, i + 1000).map((item) => JSON.stringify(codec.toRow(item))).join("\n") + "\n");
}

/** Writes a run held in memory (a shard's, a batch of tombstones). */
export async function writeRun<T>(bucket: R2Bucket, key: string, codec: RunCodec<T>, sorted: readonly T[]): Promise<void> {
  await bucket.put(key, new Blob([...encodeRows(codec, sorted)]), RUN_OPTIONS);
}

/** Writes a run of any length from a stream through a multipart upload: memory is one part. */
export async function streamRun<T>(bucket: R2Bucket, key: string, codec: RunCodec<T>, sorted: AsyncIterator<T>, partBytes: number): Promise<void> {
  let next = await sorted.next();
  // An empty run is a plain put: a multipart upload needs at least one byte.
  if (next.done) return void (await bucket.put(key, "", RUN_OPTIONS));
  async function* chunks() {
    for (let batch: T[] = []; ; batch = []) {
      for (; !next.done && batch.length < 1000; next = await sorted.next()) batch.push(next.value);
      yield* encodeRows(codec, batch);
      if (next.done) return;
    }
  }
  await uploadChunks(bucket, key, chunks(), partBytes, RUN_OPTIONS);
}

/** Streams a run's rows back; throws if the run is missing (a retry of its step recreates it). */
export async function* readRun<T>(bucket: R2Bucket, key: string, codec: RunCodec<T>): AsyncGenerator<T> {
  const lines = await readLines(bucket, key, false);
  if (!lines) throw new Error(`run missing: ${key}`);
  for await (const line of lines) yield codec.fromRow(JSON.parse(line) as unknown[]);
}
