import { LAKE_SCHEMA_VERSION, type LocationRecord } from "../normalize";
import { hourPartition, uniqueName } from "./lake-keys";
import { createdAtRange, encodeLocationParquet, sortRecords } from "./lake-parquet";

export async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

export interface HourGroup {
  partition: string;
  records: LocationRecord[];
  /** Verbatim envelopes of every message in the group, duplicates included. */
  rawBodies: unknown[];
}

/** Writes one hour group's Parquet object and raw archive; throws if either write fails. */
export async function writeHourGroup(bucket: R2Bucket, group: HourGroup, nowMs: number): Promise<string[]> {
  const sorted = sortRecords(group.records);
  const name = uniqueName(nowMs);
  const customMetadata = {
    rows: String(sorted.length),
    ...createdAtRange(sorted),
    schema_version: LAKE_SCHEMA_VERSION,
  };
  const parquetKey = `locations/${group.partition}/${name}.parquet`;
  const rawKey = `raw/${group.partition}/${name}.ndjson.gz`;
  const ndjson = group.rawBodies.map((b) => JSON.stringify(b)).join("\n") + "\n";
  const [parquet, raw] = await Promise.all([encodeLocationParquet(sorted), gzip(ndjson)]);
  await Promise.all([
    bucket.put(parquetKey, parquet, {
      httpMetadata: { contentType: "application/vnd.apache.parquet" },
      customMetadata,
    }),
    bucket.put(rawKey, raw, {
      httpMetadata: { contentType: "application/gzip" },
      // processed_at lets a rebuild reproduce process_timestamp exactly.
      customMetadata: { ...customMetadata, rows: String(group.rawBodies.length), processed_at: new Date(nowMs).toISOString() },
    }),
  ]);
  return [parquetKey, rawKey];
}

/** Keeps a poison message for inspection; it is acked afterwards, never retried. */
export async function quarantineMessage(bucket: R2Bucket, body: unknown, context: Record<string, unknown>, nowMs: number): Promise<string> {
  const key = `quarantine/${hourPartition(nowMs)}/${uniqueName(nowMs)}.json`;
  await bucket.put(key, JSON.stringify({ ...context, body }), { httpMetadata: { contentType: "application/json" } });
  return key;
}
