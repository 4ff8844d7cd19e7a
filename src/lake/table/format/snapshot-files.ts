import type { TableBucket } from "./table-bucket";
import { objectUri, parseObjectUri, tableMetadataKey } from "../../keys";
import { createdAtBounds, partitionHour, timestampBytes } from "./bounds";
import type { DataFileInput, SnapshotChange, SnapshotFiles } from "./data-files";
import { isLive, loadManifests, type LoadedManifest } from "./live-files";
import { Status, type ManifestEntry, type ManifestFile } from "./manifest-schemas";
import { putManifest, putManifestList, type ListHeader, type ManifestTarget } from "./manifests";
import { snapshotSummary } from "./snapshot-summary";
import { currentSchema, findSnapshot, type Snapshot, type TableMetadata } from "./table-metadata";
import { PARTITION_FIELD_NAME, PARTITION_SOURCE } from "./table-schema";

/**
 * Above this many manifests a commit merges every carried manifest into one (live entries as
 * EXISTING), so a commit reads and a reader opens at most this many plus one. Each append adds
 * one manifest, so a merge happens about every 30 commits (~7 min at one commit per 15 s).
 */
export const MAX_MANIFESTS = 32;

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

/** A manifest of the new snapshot: carried unchanged (`file`), or entries still to write. */
type Piece = { file: ManifestFile } | { entries: ManifestEntry[] };

function carryOver(loaded: LoadedManifest[], removed: Set<string>, snapshotId: number): Piece[] {
  const pieces: Piece[] = [];
  for (const { file, entries } of loaded) {
    const touched = entries.some((e) => isLive(e) && removed.has(e.data_file.file_path));
    if (touched) pieces.push({ entries: entries.flatMap((e) => carriedEntry(e, removed, snapshotId) ?? []) });
    // A manifest with only DELETED entries recorded its deletes in its own snapshot; drop it now.
    else if (file.added_files_count + file.existing_files_count > 0) pieces.push({ file });
  }
  if (pieces.length < MAX_MANIFESTS) return pieces;
  const byPath = new Map(loaded.map((m) => [m.file.manifest_path, m.entries]));
  const entries = (p: Piece) => ("file" in p ? byPath.get(p.file.manifest_path)! : p.entries);
  return [{ entries: pieces.flatMap((p) => entries(p).flatMap((e) => carriedEntry(e, removed, snapshotId) ?? [])) }];
}

/**
 * What the change does against the parent's live files: removals that are live, adds that are
 * not (a key both removed and added was rewritten in place: it is replaced, not dropped).
 */
function resolve(loaded: LoadedManifest[], change: SnapshotChange, pathOf: (key: string) => string) {
  const live = new Map(loaded.flatMap((m) => m.entries.filter(isLive).map((e) => [e.data_file.file_path, e] as const)));
  const removed = new Set(change.removeKeys.map(pathOf).filter((p) => live.has(p)));
  const adds = [...new Map(change.add.map((f) => [pathOf(f.key), f])).entries()].filter(([path]) => !live.has(path) || removed.has(path));
  return { live, adds, removed };
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
 * written here is reused, and what a lost attempt wrote is listed in `writtenKeys`.
 */
export async function writeSnapshotFiles(bucket: TableBucket, metadata: TableMetadata, change: SnapshotChange, nowMs: number): Promise<SnapshotFiles | null> {
  if (change.operation === "append" && change.removeKeys.length) throw new Error("an append removes no files");
  const parent = findSnapshot(metadata);
  const loaded = parent ? await loadManifests(bucket, parent["manifest-list"]) : [];
  const pathOf = (key: string) => objectUri(parseObjectUri(metadata.location).bucketName, key);
  const { live, adds, removed } = resolve(loaded, change, pathOf);
  if (adds.length === 0 && removed.size === 0) return null;

  const snapshotId = newSnapshotId();
  const sequenceNumber = metadata["last-sequence-number"] + 1;
  const schema = currentSchema(metadata);
  const createdAtId = schema.fields.find((f) => f.name === PARTITION_SOURCE)!.id;
  const pieces = carryOver(loaded, removed, snapshotId);
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
    summary: snapshotSummary(change, adds.map(([, f]) => f), [...removed].map((p) => live.get(p)!), [...live.values()]),
    "schema-id": schema["schema-id"],
  };
  const alreadyLive = change.add.filter((f) => live.has(pathOf(f.key)) && !removed.has(pathOf(f.key))).map((f) => f.key);
  const notLive = change.removeKeys.filter((k) => !live.has(pathOf(k)));
  return { snapshot, ...restCommit(metadata, snapshot, parentId), alreadyLive, notLive, writtenKeys };
}
