import type { TableBucket } from "./table-bucket";
import { objectUri, parseObjectUri, tableMetadataKey } from "../../keys";
import { createdAtBounds, partitionHour, timestampBytes } from "./bounds";
import type { DataFileInput, SnapshotChange, SnapshotFiles } from "./data-files";
import { isLive } from "./live-files";
import { mergeOneMonth, type Piece } from "./manifest-merge";
import { Status, type ManifestEntry } from "./manifest-schemas";
import { putManifest, putManifestList, type ListHeader, type ManifestTarget } from "./manifests";
import { loadedLiveEntries, manifestEntries, parentManifestsFor, touchedHours, type ParentManifests } from "./parent-manifests";
import { parentTotals, snapshotSummary } from "./snapshot-summary";
import { currentSchema, findSnapshot, type Snapshot, type TableMetadata } from "./table-metadata";
import { PARTITION_FIELD_NAME, PARTITION_SOURCE } from "./table-schema";

/** Random positive snapshot id below 2^53: exact in JSON numbers and JavaScript. */
export function newSnapshotId(): number {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return (high! % 2 ** 21) * 2 ** 32 + low! || 1;
}

/** An ADDED entry: snapshot id and sequence numbers null, inherited from the manifest list. */
function addedEntry(file: DataFileInput, path: string, createdAtId: number): ManifestEntry {
  const bounds = createdAtBounds(file.partition, file.createdAtMs);
  return {
    status: Status.ADDED,
    snapshot_id: null,
    sequence_number: null,
    file_sequence_number: null,
    data_file: {
      content: 0,
      file_path: path,
      file_format: "PARQUET",
      partition: { [PARTITION_FIELD_NAME]: partitionHour(file.partition) },
      record_count: file.recordCount,
      file_size_in_bytes: file.fileSizeBytes,
      lower_bounds: [{ key: createdAtId, value: timestampBytes(bounds.lower) }],
      upper_bounds: [{ key: createdAtId, value: timestampBytes(bounds.upper) }],
      sort_order_id: null,
    },
  };
}

/**
 * An entry as the new snapshot carries it when its manifest is rewritten: removed now → DELETED
 * by this snapshot (sequence numbers kept); deleted earlier → dropped; otherwise EXISTING.
 */
function carriedEntry(entry: ManifestEntry, removed: Set<string>, snapshotId: number): ManifestEntry | null {
  if (!isLive(entry)) return entry.snapshot_id === snapshotId ? entry : null;
  if (removed.has(entry.data_file.file_path)) return { ...entry, status: Status.DELETED, snapshot_id: snapshotId };
  return { ...entry, status: Status.EXISTING };
}

/**
 * The parent's manifests in the new snapshot: rewritten if holding a removed file, else carried by
 * reference (unread unless loaded), dropped if only DELETED entries are left (its own snapshot
 * recorded them); then at most one month's are merged (manifest-merge.ts).
 */
async function carryOver(bucket: TableBucket, parent: ParentManifests, removed: Set<string>, snapshotId: number): Promise<Piece[]> {
  const carry = (e: ManifestEntry) => carriedEntry(e, removed, snapshotId);
  const pieces: Piece[] = [];
  for (const file of parent.files) {
    const entries = await parent.entries.get(file.manifest_path);
    const touched = entries?.some((e) => isLive(e) && removed.has(e.data_file.file_path));
    if (touched) pieces.push({ entries: entries!.flatMap((e) => carry(e) ?? []) });
    else if (file.added_files_count + file.existing_files_count > 0) pieces.push({ file });
  }
  return mergeOneMonth(pieces, (file) => manifestEntries(bucket, parent, file), carry);
}

/**
 * What the change does against the parent's live files: removals that are live, adds that are
 * not (a key both removed and added was rewritten in place: it is replaced, not dropped).
 */
function resolve(live: Map<string, ManifestEntry>, change: SnapshotChange, pathOf: (key: string) => string) {
  const removed = new Set(change.removeKeys.map(pathOf).filter((p) => live.has(p)));
  const adds = [...new Map(change.add.map((f) => [pathOf(f.key), f])).entries()].filter(([path]) => !live.has(path) || removed.has(path));
  return { adds, removed };
}

/** Writes the pieces still to write as manifests, then the manifest list of all of them. */
async function writeManifests(bucket: TableBucket, metadata: TableMetadata, pieces: Piece[], header: ListHeader, pathOf: (key: string) => string) {
  const schema = currentSchema(metadata);
  const spec = metadata["partition-specs"].find((s) => s["spec-id"] === metadata["default-spec-id"])!;
  const writtenKeys: string[] = [];
  const target = (name: string): ManifestTarget => {
    writtenKeys.push(tableMetadataKey(metadata.location, name));
    return { bucket, schema, spec, path: pathOf(writtenKeys.at(-1)!) };
  };
  const prefix = `${header.snapshotId}-${crypto.randomUUID()}`;
  const manifests = await Promise.all(
    pieces.map((p, i) => ("file" in p ? p.file : putManifest(target(`${prefix}-m${i}.avro`), p.entries, header.snapshotId, header.sequenceNumber))),
  );
  const listPath = target(`snap-${prefix}.avro`).path;
  await putManifestList(bucket, listPath, manifests, header);
  return { listPath, writtenKeys };
}

/** The REST commit of a snapshot built on main's `parentId` (null: the table's first). */
function restCommit(metadata: TableMetadata, snapshot: Snapshot, parentId: number | null): Pick<SnapshotFiles, "requirements" | "updates"> {
  return {
    requirements: [
      { type: "assert-table-uuid", uuid: metadata["table-uuid"] },
      { type: "assert-ref-snapshot-id", ref: "main", "snapshot-id": parentId },
    ],
    updates: [
      { action: "add-snapshot", snapshot },
      { action: "set-snapshot-ref", "ref-name": "main", type: "branch", "snapshot-id": snapshot["snapshot-id"] },
    ],
  };
}

/**
 * Writes the manifests and manifest list of one append or overwrite on top of main, and returns
 * the REST commit for it. Adds already live are left out and removals not live are ignored (both
 * reported); null when nothing would change. On a CommitConflict, reload and call again: nothing
 * written here is reused, and what a lost attempt wrote is listed in `writtenKeys`. Only the
 * manifests that may hold the change's hours are read (`loaded`: what the caller already read
 * of main, reused when it is of main's snapshot and covers them), plus one month's to merge.
 */
export async function writeSnapshotFiles(bucket: TableBucket, metadata: TableMetadata, change: SnapshotChange, nowMs: number, loaded?: ParentManifests): Promise<SnapshotFiles | null> {
  if (change.operation === "append" && change.removeKeys.length) throw new Error("an append removes no files");
  const parent = findSnapshot(metadata);
  const hours = touchedHours(change.add.map((f) => f.partition), [...change.add.map((f) => f.key), ...change.removeKeys]);
  const manifests = await parentManifestsFor(bucket, metadata, hours, loaded);
  const pathOf = (key: string) => objectUri(parseObjectUri(metadata.location).bucketName, key);
  const live = await loadedLiveEntries(manifests);
  const { adds, removed } = resolve(live, change, pathOf);
  if (adds.length === 0 && removed.size === 0) return null;

  const snapshotId = newSnapshotId();
  const sequenceNumber = metadata["last-sequence-number"] + 1;
  const schema = currentSchema(metadata);
  const createdAtId = schema.fields.find((f) => f.name === PARTITION_SOURCE)!.id;
  const pieces = await carryOver(bucket, manifests, removed, snapshotId);
  if (adds.length) pieces.unshift({ entries: adds.map(([path, file]) => addedEntry(file, path, createdAtId)) });
  const parentId = parent?.["snapshot-id"] ?? null;
  const header = { snapshotId, parentSnapshotId: parentId, sequenceNumber };
  const { listPath, writtenKeys } = await writeManifests(bucket, metadata, pieces, header, pathOf);

  const snapshot: Snapshot = {
    "snapshot-id": snapshotId,
    ...(parentId !== null && { "parent-snapshot-id": parentId }),
    "sequence-number": sequenceNumber,
    "timestamp-ms": Math.max(nowMs, parent?.["timestamp-ms"] ?? 0),
    "manifest-list": listPath,
    summary: snapshotSummary(change, adds.map(([, f]) => f), [...removed].map((p) => live.get(p)!), parentTotals(parent, manifests.files)),
    "schema-id": schema["schema-id"],
  };
  const alreadyLive = change.add.filter((f) => live.has(pathOf(f.key)) && !removed.has(pathOf(f.key))).map((f) => f.key);
  const notLive = change.removeKeys.filter((k) => !live.has(pathOf(k)));
  return { snapshot, ...restCommit(metadata, snapshot, parentId), alreadyLive, notLive, writtenKeys };
}
