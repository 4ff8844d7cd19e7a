/**
 * What writeSnapshotFiles takes and gives (the seam with the committer, docs in seams.md).
 * Data file paths are absolute `s3://<bucket>/<key>`; the bucket comes from the table location.
 */
import type { TableRequirement, TableUpdate } from "./table-changes";
import type { Snapshot } from "./table-metadata";

/** One Parquet object the lake wrote. */
export interface DataFileInput {
  key: string;
  /** `dt=YYYY-MM-DD/hour=HH`, the object's hour: every row's created_at is inside it. */
  partition: string;
  recordCount: number;
  fileSizeBytes: number;
  /** Exact created_at range (epoch ms) when known: tighter column bounds than the hour's. */
  createdAtMs?: { min: number; max: number };
}

export interface SnapshotChange {
  /** append: only adds. overwrite: removes `removeKeys` and adds `add` atomically (compaction). */
  operation: "append" | "overwrite";
  add: DataFileInput[];
  removeKeys: string[];
  /** Extra summary entries (a commit id, hour status…); Iceberg's own counts are added. */
  summary: Record<string, string>;
}

/** writeSnapshotFiles returns null instead when nothing would change (every add live, no live removal). */
export interface SnapshotFiles {
  snapshot: Snapshot;
  /** assert-table-uuid, assert-ref-snapshot-id main = parent (null for the first snapshot). */
  requirements: TableRequirement[];
  /** add-snapshot, set-snapshot-ref main. */
  updates: TableUpdate[];
  /** Keys of `add` already live in the parent: left out, never registered twice. */
  alreadyLive: string[];
  /** Keys of `removeKeys` not live in the parent: nothing to remove for them. */
  notLive: string[];
  /** Objects this call wrote (manifests, manifest list): orphans if the commit never lands. */
  writtenKeys: string[];
}

/** A live data file as read back from a snapshot's manifests (sequence numbers inherited). */
export interface LiveDataFile {
  key: string;
  path: string;
  /** Hours since the epoch: the hour(created_at) partition value. */
  partitionHour: number;
  recordCount: number;
  fileSizeBytes: number;
  snapshotId: number;
  sequenceNumber: number;
  fileSequenceNumber: number;
}
