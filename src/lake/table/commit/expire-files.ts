import { TableChangeRecord } from "../../../contract/table-message";
import { deleteKeys, readJson } from "../../bucket-io";
import { tableChangeKey } from "../../keys";
import type { Snapshot, TableMetadata } from "../format-stub";

const keyOfLocation = (location: string) => location.replace(/^s3:\/\/[^/]+\//, "");

/**
 * After a commit expired snapshots: deletes the objects no retained snapshot references any more.
 * Snapshots are expired oldest first (commit-change.ts), so when snapshot P goes, every snapshot
 * before its child C has gone too, and the files C's compaction removed are referenced by none
 * (a removed key is never added again: pending-change.ts). Manifest lists of expired snapshots go
 * with them. Returns the data keys deleted. Never called for a commit whose answer was lost:
 * those few files stay until an operator sweeps them (docs/operations.md).
 */
export async function deleteExpiredFiles(bucket: R2Bucket, before: TableMetadata, after: TableMetadata): Promise<string[]> {
  const kept = new Set(after.snapshots.map((s) => s["snapshot-id"]));
  const expired = before.snapshots.filter((s) => !kept.has(s["snapshot-id"]));
  if (!expired.length) return [];
  const all = new Map<number, Snapshot>([...before.snapshots, ...after.snapshots].map((s) => [s["snapshot-id"], s]));
  const gone = new Set(expired.map((s) => s["snapshot-id"]));
  const children = [...all.values()].filter((s) => s["parent-snapshot-id"] !== undefined && gone.has(s["parent-snapshot-id"]));
  const deleted: string[] = [];
  for (const child of children) {
    const jobs = child.summary["milk.jobs"]?.split(",").filter(Boolean) ?? [];
    const partitions = child.summary["milk.job-partitions"]?.split(",") ?? [];
    for (const [i, jobId] of jobs.entries()) {
      const record = await readJson<unknown>(bucket, tableChangeKey(partitions[i] ?? "", jobId));
      if (record) deleted.push(...TableChangeRecord.parse(record).removeKeys);
    }
  }
  await deleteKeys(bucket, deleted);
  await deleteKeys(bucket, expired.map((s) => keyOfLocation(s["manifest-list"])));
  return deleted;
}
