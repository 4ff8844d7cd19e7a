/** The Iceberg file format of the lake's table: what the catalog and the committer use. */
export { applyTableUpdates } from "./apply-updates";
export type { DataFileInput, LiveDataFile, SnapshotChange, SnapshotFiles } from "./data-files";
export { listLiveDataFiles } from "./live-files";
export { createTableRequest, newTableMetadata, type NewTable } from "./new-table";
export { MAX_MONTH_MANIFESTS } from "./manifest-merge";
export { loadParentManifests, loadedLiveKeys, touchedHours, type ParentManifests } from "./parent-manifests";
export { newSnapshotId, writeSnapshotFiles } from "./snapshot-files";
export { CommitConflict, TableRequirement, TableUpdate } from "./table-changes";
export { currentSchema, findSnapshot, Snapshot, TableMetadata, TableSchema } from "./table-metadata";
export { buildPartitionSpec, buildSortOrder, buildTableSchema, evolveSchema, PARTITION_FIELD_ID } from "./table-schema";
export type { TableBucket } from "./table-bucket";
