import type { TableBucket } from "./table-bucket";
import { parseObjectUri } from "../../keys";
import type { AvroValue } from "./avro-schema";
import { readAvroFile } from "./avro-read";
import { writeAvroFile } from "./avro-write";
import { intBytes } from "./bounds";
import { MANIFEST_ENTRY, MANIFEST_FILE, Status, type ManifestEntry, type ManifestFile } from "./manifest-schemas";
import type { PartitionSpec, TableSchema } from "./table-metadata";
import { PARTITION_FIELD_NAME } from "./table-schema";

/** Where a manifest or list is, and what it belongs to. */
export interface ManifestTarget {
  bucket: TableBucket;
  path: string;
  schema: TableSchema;
  spec: PartitionSpec;
}

async function getBytes(bucket: TableBucket, path: string): Promise<Uint8Array> {
  const object = await bucket.get(parseObjectUri(path).key);
  if (!object) throw new Error(`table file missing: ${path}`);
  return new Uint8Array(await object.arrayBuffer());
}

/** The list entry for a manifest: counts from its entries, min sequence number of its live files. */
function summarize(entries: ManifestEntry[], path: string, length: number, specId: number, snapshotId: number, sequenceNumber: number): ManifestFile {
  const count = (status: number) => entries.filter((e) => e.status === status);
  const rows = (list: ManifestEntry[]) => list.reduce((n, e) => n + e.data_file.record_count, 0);
  const [existing, added, deleted] = [count(Status.EXISTING), count(Status.ADDED), count(Status.DELETED)];
  const liveSequences = [...existing, ...added].map((e) => e.sequence_number ?? sequenceNumber);
  const hours = entries.map((e) => e.data_file.partition[PARTITION_FIELD_NAME]).filter((h): h is number => h !== null);
  const hasNull = hours.length < entries.length;
  const summary = hours.length
    ? { contains_null: hasNull, contains_nan: null, lower_bound: intBytes(Math.min(...hours)), upper_bound: intBytes(Math.max(...hours)) }
    : { contains_null: hasNull, contains_nan: null, lower_bound: null, upper_bound: null };
  return {
    manifest_path: path,
    manifest_length: length,
    partition_spec_id: specId,
    content: 0,
    sequence_number: sequenceNumber,
    min_sequence_number: liveSequences.length ? Math.min(...liveSequences) : sequenceNumber,
    added_snapshot_id: snapshotId,
    added_files_count: added.length,
    existing_files_count: existing.length,
    deleted_files_count: deleted.length,
    added_rows_count: rows(added),
    existing_rows_count: rows(existing),
    deleted_rows_count: rows(deleted),
    partitions: [summary],
  };
}

/**
 * Writes one data manifest (Avro, header keys as the spec lists them) and returns its list entry,
 * to be committed by snapshot `snapshotId` at `sequenceNumber`.
 */
export async function putManifest(target: ManifestTarget, entries: ManifestEntry[], snapshotId: number, sequenceNumber: number): Promise<ManifestFile> {
  const bytes = writeAvroFile(MANIFEST_ENTRY, entries as unknown as AvroValue[], {
    schema: JSON.stringify(target.schema),
    "schema-id": String(target.schema["schema-id"]),
    "partition-spec": JSON.stringify(target.spec.fields),
    "partition-spec-id": String(target.spec["spec-id"]),
    "format-version": "2",
    content: "data",
  });
  await target.bucket.put(parseObjectUri(target.path).key, bytes);
  return summarize(entries, target.path, bytes.byteLength, target.spec["spec-id"], snapshotId, sequenceNumber);
}

/** A manifest's entries with inheritance applied: null snapshot id and (ADDED) sequence numbers from the list. */
export async function readManifestEntries(bucket: TableBucket, manifest: ManifestFile): Promise<ManifestEntry[]> {
  const { records } = await readAvroFile(await getBytes(bucket, manifest.manifest_path));
  return (records as unknown as ManifestEntry[]).map((entry) => {
    const added = entry.status === Status.ADDED;
    return {
      ...entry,
      snapshot_id: entry.snapshot_id ?? manifest.added_snapshot_id,
      sequence_number: entry.sequence_number ?? (added ? manifest.sequence_number : null),
      file_sequence_number: entry.file_sequence_number ?? (added ? manifest.sequence_number : null),
    };
  });
}

export interface ListHeader {
  snapshotId: number;
  parentSnapshotId: number | null;
  sequenceNumber: number;
}

export async function putManifestList(bucket: TableBucket, path: string, manifests: ManifestFile[], header: ListHeader): Promise<void> {
  const bytes = writeAvroFile(MANIFEST_FILE, manifests as unknown as AvroValue[], {
    "snapshot-id": String(header.snapshotId),
    "parent-snapshot-id": header.parentSnapshotId === null ? "null" : String(header.parentSnapshotId),
    "sequence-number": String(header.sequenceNumber),
    "format-version": "2",
  });
  await bucket.put(parseObjectUri(path).key, bytes);
}

export async function readManifestList(bucket: TableBucket, path: string): Promise<ManifestFile[]> {
  const { records } = await readAvroFile(await getBytes(bucket, path));
  return records as unknown as ManifestFile[];
}
