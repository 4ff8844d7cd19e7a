import type { TableBucket } from "./table-bucket";
import { parseObjectUri } from "../../keys";
import type { LiveDataFile } from "./data-files";
import { Status, type ManifestEntry, type ManifestFile } from "./manifest-schemas";
import { readManifestEntries, readManifestList } from "./manifests";
import { findSnapshot, type TableMetadata } from "./table-metadata";
import { PARTITION_FIELD_NAME } from "./table-schema";

export interface LoadedManifest {
  file: ManifestFile;
  /** Inheritance applied: snapshot ids and sequence numbers explicit. */
  entries: ManifestEntry[];
}

/** Every manifest of a snapshot with its entries, read in parallel (a bounded count: MAX_MANIFESTS). */
export async function loadManifests(bucket: TableBucket, manifestListPath: string): Promise<LoadedManifest[]> {
  const files = await readManifestList(bucket, manifestListPath);
  return Promise.all(files.map(async (file) => ({ file, entries: await readManifestEntries(bucket, file) })));
}

export const isLive = (entry: ManifestEntry) => entry.status !== Status.DELETED;

function toLiveFile(entry: ManifestEntry): LiveDataFile {
  const file = entry.data_file;
  return {
    key: parseObjectUri(file.file_path).key,
    path: file.file_path,
    partitionHour: file.partition[PARTITION_FIELD_NAME]!,
    recordCount: file.record_count,
    fileSizeBytes: file.file_size_in_bytes,
    snapshotId: entry.snapshot_id!,
    sequenceNumber: entry.sequence_number!,
    fileSequenceNumber: entry.file_sequence_number!,
  };
}

/**
 * The data files of a snapshot (default: main's), as every reader sees them: entries not
 * DELETED, across all its manifests. What `npm run lake -- query` and cleanup read.
 */
export async function listLiveDataFiles(bucket: TableBucket, metadata: TableMetadata, snapshotId?: number): Promise<LiveDataFile[]> {
  const snapshot = findSnapshot(metadata, snapshotId);
  if (!snapshot) return [];
  const manifests = await loadManifests(bucket, snapshot["manifest-list"]);
  return manifests.flatMap((m) => m.entries.filter(isLive).map(toLiveFile));
}
