import { LOCATION_COLUMNS, type LocationRecord } from "../normalize";
import { readGzipLines } from "./bucket-io";

/**
 * Sorted runs: gzip NDJSON, one JSON array per row in LOCATION_COLUMNS order (no repeated
 * field names, so a run is about a third of the same rows as objects). Written by a sort
 * shard, streamed back by the merge.
 */
export async function writeRun(bucket: R2Bucket, key: string, rows: unknown[][]): Promise<void> {
  const gzip = new CompressionStream("gzip");
  const compressed = new Response(gzip.readable).arrayBuffer();
  const writer = gzip.writable.getWriter();
  const encoder = new TextEncoder();
  // Chunks of 1,000 rows: never one string of the whole shard.
  for (let i = 0; i < rows.length; i += 1000) {
    await writer.write(encoder.encode(rows.slice(i, i + 1000).map((r) => JSON.stringify(r)).join("\n") + "\n"));
  }
  await writer.close();
  await bucket.put(key, await compressed, { httpMetadata: { contentType: "application/gzip" }, customMetadata: { rows: String(rows.length) } });
}

function toRecord(values: unknown[]): LocationRecord {
  const record: Record<string, unknown> = {};
  LOCATION_COLUMNS.forEach((name, i) => (record[name] = values[i]));
  return record as LocationRecord;
}

/** Streams a run's rows back as records; throws if the run is missing (a retry will recreate it). */
export async function* readRun(bucket: R2Bucket, key: string): AsyncGenerator<LocationRecord> {
  const lines = await readGzipLines(bucket, key);
  if (!lines) throw new Error(`run missing: ${key}`);
  for await (const line of lines) yield toRecord(JSON.parse(line) as unknown[]);
}
