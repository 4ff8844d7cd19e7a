import { LOCATION_COLUMNS, type LocationRecord } from "../normalize";
import { readLines } from "./bucket-io";

/**
 * Sorted runs: NDJSON, one JSON array per row in LOCATION_COLUMNS order (no repeated field
 * names). Written by a sort shard, streamed back by the merge, which reads every run at once:
 * plain text, because a DecompressionStream may read a whole gzip run ahead (Node's does), and
 * a merge of 100 runs would then hold them all. About 8 MB per 20,000-row run, deleted after the job.
 */
export async function writeRun(bucket: R2Bucket, key: string, rows: unknown[][]): Promise<void> {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  // Chunks of 1,000 rows: never one string of the whole shard.
  for (let i = 0; i < rows.length; i += 1000) chunks.push(encoder.encode(rows.slice(i, i + 1000).map((r) => JSON.stringify(r)).join("\n") + "\n"));
  await bucket.put(key, new Blob(chunks), { httpMetadata: { contentType: "application/x-ndjson" }, customMetadata: { rows: String(rows.length) } });
}

function toRecord(values: unknown[]): LocationRecord {
  const record: Record<string, unknown> = {};
  LOCATION_COLUMNS.forEach((name, i) => (record[name] = values[i]));
  return record as LocationRecord;
}

/** Streams a run's rows back as records; throws if the run is missing (a retry will recreate it). */
export async function* readRun(bucket: R2Bucket, key: string): AsyncGenerator<LocationRecord> {
  const lines = await readLines(bucket, key, false);
  if (!lines) throw new Error(`run missing: ${key}`);
  for await (const line of lines) yield toRecord(JSON.parse(line) as unknown[]);
}
