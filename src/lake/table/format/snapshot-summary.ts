import type { DataFileInput, SnapshotChange } from "./data-files";
import type { ManifestEntry } from "./manifest-schemas";

const sum = (values: number[]) => String(values.reduce((n, v) => n + v, 0));

/**
 * Iceberg's snapshot summary (format/spec.md, "Optional Snapshot Summary Fields") for the change,
 * plus the caller's entries (a commit id…). Totals are of the new snapshot's live files.
 */
export function snapshotSummary(change: SnapshotChange, added: DataFileInput[], removed: ManifestEntry[], parentLive: ManifestEntry[]) {
  const kept = parentLive.filter((e) => !removed.includes(e)).map((e) => e.data_file);
  return {
    ...change.summary,
    operation: change.operation,
    "added-data-files": String(added.length),
    "added-records": sum(added.map((f) => f.recordCount)),
    "added-files-size": sum(added.map((f) => f.fileSizeBytes)),
    "deleted-data-files": String(removed.length),
    "deleted-records": sum(removed.map((e) => e.data_file.record_count)),
    "removed-files-size": sum(removed.map((e) => e.data_file.file_size_in_bytes)),
    "total-data-files": String(kept.length + added.length),
    "total-records": sum([...kept.map((f) => f.record_count), ...added.map((f) => f.recordCount)]),
    "total-files-size": sum([...kept.map((f) => f.file_size_in_bytes), ...added.map((f) => f.fileSizeBytes)]),
    "total-delete-files": "0",
    "total-position-deletes": "0",
    "total-equality-deletes": "0",
  };
}
