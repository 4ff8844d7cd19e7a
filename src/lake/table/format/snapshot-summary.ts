import type { DataFileInput, SnapshotChange } from "./data-files";
import type { ManifestEntry, ManifestFile } from "./manifest-schemas";
import type { Snapshot } from "./table-metadata";

const sum = (values: number[]) => values.reduce((n, v) => n + v, 0);

/** The parent's live totals; a size the parent's summary does not state stays unknown (null). */
export interface Totals {
  files: number;
  records: number;
  size: number | null;
}

/**
 * The parent snapshot's totals from its summary, as Iceberg's own writers carry them forward, so
 * a commit need not read every manifest to count the table. Without them (a snapshot another
 * writer made), file and record counts come from the manifest list's counts, which equal its
 * entries; the total size is then left out of the new summary (an optional field).
 */
export function parentTotals(parent: Snapshot | null | undefined, files: ManifestFile[]): Totals {
  if (!parent) return { files: 0, records: 0, size: 0 };
  const stated = (name: string) => (parent.summary[name] !== undefined && /^\d+$/.test(parent.summary[name]!) ? Number(parent.summary[name]) : null);
  const [count, records, size] = [stated("total-data-files"), stated("total-records"), stated("total-files-size")];
  if (count !== null && records !== null) return { files: count, records, size };
  const listed = {
    files: sum(files.map((f) => f.added_files_count + f.existing_files_count)),
    records: sum(files.map((f) => f.added_rows_count + f.existing_rows_count)),
  };
  return { ...listed, size: null };
}

/**
 * Iceberg's snapshot summary (format/spec.md, "Optional Snapshot Summary Fields") for the change,
 * plus the caller's entries (a commit id…). Totals are the parent's, less removed, plus added.
 */
export function snapshotSummary(change: SnapshotChange, added: DataFileInput[], removed: ManifestEntry[], parent: Totals): Snapshot["summary"] {
  const removedRecords = sum(removed.map((e) => e.data_file.record_count));
  const removedSize = sum(removed.map((e) => e.data_file.file_size_in_bytes));
  const [addedRecords, addedSize] = [sum(added.map((f) => f.recordCount)), sum(added.map((f) => f.fileSizeBytes))];
  return {
    ...change.summary,
    operation: change.operation,
    "added-data-files": String(added.length),
    "added-records": String(addedRecords),
    "added-files-size": String(addedSize),
    "deleted-data-files": String(removed.length),
    "deleted-records": String(removedRecords),
    "removed-files-size": String(removedSize),
    "total-data-files": String(parent.files - removed.length + added.length),
    "total-records": String(parent.records - removedRecords + addedRecords),
    ...(parent.size !== null && { "total-files-size": String(parent.size - removedSize + addedSize) }),
    "total-delete-files": "0",
    "total-position-deletes": "0",
    "total-equality-deletes": "0",
  };
}
