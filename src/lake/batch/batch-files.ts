import { LAKE_SCHEMA_VERSION, type LocationRecord } from "../../normalize";
import { hourPartition, uniqueName } from "../keys";
import { createdAtRange, encodeLocationParquet, sortRecords } from "../../sinks/lake-parquet";
import { gzip } from "../bucket-io";
import { dirtyPrefix, partitionEndMs } from "../keys";
import type { DataFile } from "../../contract/table-message";

export interface HourGroup {
  partition: string;
  records: LocationRecord[];
  /** Verbatim envelopes of every message in the group, duplicates included. */
  rawBodies: unknown[];
}

/**
 * Marks an hour for the next compaction with a uniquely named object (R2 allows about one
 * write per second per key, so a shared key would throttle a busy hour).
 */
export async function markHourDirty(bucket: R2Bucket, partition: string, nowMs: number): Promise<void> {
  await bucket.put(`${dirtyPrefix(partition)}${uniqueName(nowMs)}`, "");
}

/**
 * Writes one hour group: raw archive first, then its Parquet twin, so a compaction that lists
 * `locations/` before `raw/` sees the raw twin of every batch file it lists. A write that ends
 * after its hour closed marks the hour dirty (after the Parquet put, so a compaction that saw
 * the marker also saw the file). Throws if any write fails; the caller retries the messages.
 * Returns the keys and the Parquet file as the table registers it.
 */
export async function writeHourGroup(bucket: R2Bucket, group: HourGroup, nowMs: number): Promise<{ keys: string[]; file: DataFile }> {
  const sorted = sortRecords(group.records);
  const name = uniqueName(nowMs);
  const customMetadata = { rows: String(sorted.length), ...createdAtRange(sorted), schema_version: LAKE_SCHEMA_VERSION };
  const parquetKey = `locations/${group.partition}/${name}.parquet`;
  const rawKey = `raw/${group.partition}/${name}.ndjson.gz`;
  const ndjson = group.rawBodies.map((b) => JSON.stringify(b)).join("\n") + "\n";
  const [parquet, raw] = await Promise.all([encodeLocationParquet(sorted), gzip(ndjson)]);
  await bucket.put(rawKey, raw, {
    httpMetadata: { contentType: "application/gzip" },
    // processed_at lets a rebuild reproduce process_timestamp exactly.
    customMetadata: { ...customMetadata, rows: String(group.rawBodies.length), processed_at: new Date(nowMs).toISOString() },
  });
  await bucket.put(parquetKey, parquet, { httpMetadata: { contentType: "application/vnd.apache.parquet" }, customMetadata });
  // Date.now() after the puts: a write that straddles the hour's end is late too.
  if (Date.now() >= partitionEndMs(group.partition)) await markHourDirty(bucket, group.partition, nowMs);
  return { keys: [rawKey, parquetKey], file: { key: parquetKey, partition: group.partition, recordCount: sorted.length, fileSizeBytes: parquet.byteLength } };
}

/** Keeps a poison message for inspection; it is acked afterwards, never retried. */
export async function quarantineMessage(bucket: R2Bucket, body: unknown, context: Record<string, unknown>, nowMs: number): Promise<string> {
  const key = `quarantine/${hourPartition(nowMs)}/${uniqueName(nowMs)}.json`;
  await bucket.put(key, JSON.stringify({ ...context, body }), { httpMetadata: { contentType: "application/json" } });
  return key;
}
